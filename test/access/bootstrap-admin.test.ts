import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { bootstrapAdmin } from '../../src/access/bootstrap-admin.ts';
import { jwkThumbprint } from '../../src/ca/index.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { STORE_KINDS, openTestStore, tempDir } from '../helpers/test-store.ts';

function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  return { logger: pino({ level: 'info' }, stream), warnings: () => lines.filter((l) => l.level === 40).map((l) => l.msg) };
}

const thumbprintOfFile = (path: string) => {
  const j = createPublicKey(createPrivateKey(readFileSync(path, 'utf8'))).export({ format: 'jwk' });
  return jwkThumbprint({ kty: 'EC', crv: 'P-256', x: j.x!, y: j.y! });
};

for (const kind of STORE_KINDS) {
  describe(`bootstrapAdmin on ${kind}`, () => {
    test('first start writes admin.key (PKCS#8 PEM P-256, 0600) and registers principal admin, audited; a restart changes nothing', async () => {
      const t = await openTestStore(kind);
      try {
        const r = await bootstrapAdmin({ dataDir: t.dataDir, store: t.store, clock: systemClock });
        assert.equal(r.adminKeyPath, join(t.dataDir, 'admin.key'));
        assert.deepEqual([r.keyCreated, r.registered], [true, true]);
        assert.equal(statSync(r.adminKeyPath).mode & 0o777, 0o600);
        assert.equal(statSync(t.dataDir).mode & 0o777, 0o700);
        const pem = readFileSync(r.adminKeyPath, 'utf8');
        assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n/);
        assert.equal(createPrivateKey(pem).asymmetricKeyDetails?.namedCurve, 'prime256v1');
        const p = await t.store.principals.get('admin');
        assert.ok(p);
        assert.deepEqual(p.roles, ['admin']);
        assert.equal(p.jwkThumbprint, thumbprintOfFile(r.adminKeyPath));
        assert.equal(p.publicJwk.d, undefined);
        const events = await t.store.audit.list({ action: 'principal.create', limit: 10 });
        assert.equal(events.length, 1);
        assert.equal(events[0]!.target, 'admin');

        const again = await bootstrapAdmin({ dataDir: t.dataDir, store: t.store, clock: systemClock });
        assert.deepEqual([again.keyCreated, again.registered], [false, false]);
        assert.equal(readFileSync(r.adminKeyPath, 'utf8'), pem);
        assert.equal((await t.store.audit.list({ action: 'principal.create', limit: 10 })).length, 1);
      } finally { await t.cleanup(); }
    });

    test('an existing admin.key with no principal (a fresh database) is registered as is', async () => {
      const first = await openTestStore(kind);
      const second = await openTestStore(kind, { dataDir: tempDir() });
      try {
        const r = await bootstrapAdmin({ dataDir: first.dataDir, store: first.store, clock: systemClock });
        const r2 = await bootstrapAdmin({ dataDir: first.dataDir, store: second.store, clock: systemClock });
        assert.deepEqual([r2.keyCreated, r2.registered], [false, true]);
        assert.equal((await second.store.principals.get('admin'))!.jwkThumbprint, thumbprintOfFile(r.adminKeyPath));
      } finally { await first.cleanup(); await second.cleanup(); }
    });

    test('a principal admin registered with another key is kept, with a warning (never silently replaced)', async () => {
      const t = await openTestStore(kind);
      const otherDir = tempDir();
      try {
        await bootstrapAdmin({ dataDir: t.dataDir, store: t.store, clock: systemClock });
        const stored = await t.store.principals.get('admin');
        const { logger, warnings } = capturingLogger();
        const r = await bootstrapAdmin({ dataDir: otherDir, store: t.store, clock: systemClock, logger });
        assert.deepEqual([r.keyCreated, r.registered], [true, false]);
        assert.deepEqual(await t.store.principals.get('admin'), stored);
        assert.ok(warnings().some((m) => m.includes('different public key') && m.includes(r.adminKeyPath)), JSON.stringify(warnings()));
        assert.equal((await t.store.audit.list({ action: 'principal.create', limit: 10 })).length, 1);
      } finally { await t.cleanup(); rmSync(otherDir, { recursive: true, force: true }); }
    });
  });
}

describe('bootstrapAdmin refuses unsafe or broken key files', () => {
  test('admin.key readable by others: ERR_CONFIG naming the file and chmod; nothing registered', async () => {
    const t = await openTestStore('sqlite');
    try {
      const path = join(t.dataDir, 'admin.key');
      writeFileSync(path, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
      chmodSync(path, 0o644);
      await assert.rejects(bootstrapAdmin({ dataDir: t.dataDir, store: t.store, clock: systemClock }),
        (e) => isTesseraError(e, 'ERR_CONFIG') && e.message.includes(path) && e.message.includes('chmod 600'));
      assert.equal(await t.store.principals.get('admin'), undefined);
      assert.equal((await t.store.audit.head()).seq, 0);
    } finally { await t.cleanup(); }
  });

  test('admin.key that is not a P-256 PEM private key: ERR_CONFIG; nothing registered', async () => {
    const t = await openTestStore('sqlite');
    try {
      const path = join(t.dataDir, 'admin.key');
      const contents = [
        'not a key',
        generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
        generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }) as string,
      ];
      for (const c of contents) {
        writeFileSync(path, c, { mode: 0o600 });
        await assert.rejects(bootstrapAdmin({ dataDir: t.dataDir, store: t.store, clock: systemClock }),
          (e) => isTesseraError(e, 'ERR_CONFIG') && e.message.includes(path));
      }
      assert.equal(await t.store.principals.get('admin'), undefined);
    } finally { await t.cleanup(); }
  });

  test('a data folder readable by others is narrowed to 0700 (with a warning)', async () => {
    const t = await openTestStore('sqlite');
    try {
      const dir = join(t.dataDir, 'wide');
      mkdirSync(dir, { mode: 0o755 });
      chmodSync(dir, 0o755);
      const { logger, warnings } = capturingLogger();
      await bootstrapAdmin({ dataDir: dir, store: t.store, clock: systemClock, logger });
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.ok(existsSync(join(dir, 'admin.key')));
      assert.ok(warnings().some((m) => m.includes('0700')));
    } finally { await t.cleanup(); }
  });
});
