-- DPoP proofs already used (RFC 9449 §11.1), shared by every server on one PostgreSQL database so
-- that a captured proof cannot be replayed against another server within its acceptance window.
-- proof_hash is the SHA-256 of the proof key's thumbprint and the proof's jti, never the proof
-- itself; a row is kept until the proof could no longer pass the iat check anyway. The embedded
-- store leaves this table empty: only one server can use a data folder, and its memory is exact.
CREATE TABLE dpop_proofs (
  proof_hash TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX dpop_proofs_expires ON dpop_proofs (expires_at);
