-- Key lifecycle (prepare → activate → retire). X.509 CA keys carry their certificate and the
-- certificates above it; retired keys stay published until publish_until, when every token or
-- certificate they signed has expired.
ALTER TABLE signing_keys ADD COLUMN not_before BIGINT;
ALTER TABLE signing_keys ADD COLUMN not_after BIGINT;
ALTER TABLE signing_keys ADD COLUMN publish_until BIGINT;
-- Base64 (standard) DER of the CA certificate.
ALTER TABLE signing_keys ADD COLUMN certificate_der TEXT;
-- JSON array of base64 DER certificates above it, up to and including the trust anchor;
-- empty for a self-signed CA.
ALTER TABLE signing_keys ADD COLUMN chain TEXT;

-- Stores created before this migration hold a bare X.509 CA key with no certificate; nothing was
-- ever signed with it, so it is dropped and the server creates a CA with a certificate at start.
DELETE FROM signing_keys WHERE purpose = 'x509-ca' AND certificate_der IS NULL;
