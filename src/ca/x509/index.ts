// X.509 for the CA capability: CA certificates, PKCS#10 requests, X509-SVID issuance.
export { createCaCertificate, type CreateCaCertificateInput } from './create-ca-certificate.ts';
export { parseCsr, CSR_MAX_BYTES, RSA_MIN_BITS, RSA_MAX_BITS, type ParsedCsr, type CsrKeyType } from './parse-csr.ts';
export { createCsr, type CreateCsrInput } from './create-csr.ts';
export { issueX509Svid, prepareIssuer, BACKDATE_MS, type IssuedX509Svid, type PreparedIssuer, type SubjectKey } from './issue-x509-svid.ts';
export { requestX509Svid, X509_SVID_ACTION, type X509SvidDeps, type X509SvidInput, type X509SvidResult } from './request-x509-svid.ts';
export { parseDnsNames, DNS_NAMES_MAX, DNS_NAME_MAX_LENGTH } from './dns-names.ts';
export { readCertificate, type CertificateParts } from './read-certificate.ts';
export { toPem } from './certificate.ts';
