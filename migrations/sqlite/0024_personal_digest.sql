-- 0024 personal numbers sealed at rest (GB/T 39786 level 3). Document numbers, phones and
-- addresses are now stored as SM4-GCM ciphertext (`store::personal`); a document number is
-- found, and kept unique per document type, through its keyed digest (HMAC-SM3, `KEYID:HEX`).
-- The rows written before are sealed at the next start (`Db::reseal`).

ALTER TABLE parties ADD COLUMN document_digest TEXT;
CREATE UNIQUE INDEX parties_document_digest ON parties(document_type, document_digest);
