-- Payments change after they are taken (PostgreSQL): an APPROVED payment can have its amount
-- and tip updated, then be completed or canceled; a COMPLETED one can be refunded. Every
-- change gives it a new version_token.

ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments
  ADD CONSTRAINT payments_status_check
    CHECK (status IN ('APPROVED', 'COMPLETED', 'CANCELED', 'FAILED')),
  ADD COLUMN updated_at BIGINT,
  ADD COLUMN tip        BIGINT NOT NULL DEFAULT 0 CHECK (tip >= 0),
  -- What the refunds of this payment add up to; never more than amount + tip.
  ADD COLUMN refunded   BIGINT NOT NULL DEFAULT 0,
  -- The ids of the payment's refunds, oldest first, separated by commas.
  ADD COLUMN refund_ids TEXT   NOT NULL DEFAULT '';
UPDATE payments SET updated_at = created_at;
ALTER TABLE payments
  ALTER COLUMN updated_at SET NOT NULL,
  ADD CONSTRAINT payments_refunded_check CHECK (refunded >= 0 AND refunded <= amount + tip);

CREATE TABLE refunds (
  seq        BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id         TEXT    NOT NULL UNIQUE,
  payment_id TEXT    NOT NULL,
  created_at BIGINT  NOT NULL,
  amount     BIGINT  NOT NULL CHECK (amount > 0),
  currency   TEXT    NOT NULL,
  reason     TEXT
);
CREATE INDEX refunds_by_payment ON refunds (payment_id);
