-- An identity may be marked "bearer tokens forbidden": every token issued to it must be
-- sender-constrained (DPoP or mTLS-bound). 0 = bearer tokens allowed (the default), 1 = forbidden.
ALTER TABLE identities ADD COLUMN bearer_forbidden INTEGER NOT NULL DEFAULT 0;
