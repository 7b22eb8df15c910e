-- SPDX-License-Identifier: Apache-2.0
-- quarantine = milter: a p=quarantine failure goes to the MTA's quarantine with the reason,
-- and still carries our results.
dofile(lib)
local conn = start_milter()
local reply = send(conn, "203.0.113.80", "legacy.oldshop.example", "orders@oldshop.example",
  "bob@example.net", demo .. "/revoked.eml")
expect(reply == SMFIR_ACCEPT or reply == SMFIR_CONTINUE, "the message accepted")
expect(mt.eom_check(conn, MT_QUARANTINE, "DMARC policy of oldshop.example: quarantine"),
  "quarantined with the reason")
expect(mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results"), "Authentication-Results added")
check(mt.disconnect(conn), "disconnect")
