// Quoting for the generated fix-plan scripts. Every value that came from an export (names,
// paths, ids) goes through `sh`, and every comment through `shComment`: an export is input an
// attacker may control, and a name with a quote or a newline must never become a command.

/** One argument for POSIX sh: single-quoted, with each ' written as '\'' . */
export function sh(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A double-quoted word of a constant prefix followed by a shell variable, e.g.
 * "Key=owner,Value=$owner_1". The prefix is ours (never export data), checked anyway.
 */
export function withVar(prefix: string, variable: string): string {
  if (/["$`\\]/.test(prefix) || !/^[a-z_][a-z0-9_]*$/.test(variable)) throw new Error(`unsafe shell word ${prefix}$${variable}`);
  return `"${prefix}\${${variable}}"`;
}

/** A comment line: control characters (a newline would end the comment) become '?'. */
export function shComment(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `# ${text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, '?')}`;
}
