-- SPDX-License-Identifier: Apache-2.0
-- quarantine = header: the same failure is marked with the quarantine header instead.
dofile(lib)
local conn = start_milter()
local reply = send(conn, "203.0.113.80", "legacy.oldshop.example", "orders@oldshop.example",
  "bob@example.net", demo .. "/revoked.eml")
expect(reply == SMFIR_ACCEPT or reply == SMFIR_CONTINUE, "the message accepted")
expect(not mt.eom_check(conn, MT_QUARANTINE), "not in the MTA's quarantine")
local mark = mt.getheader(conn, "X-Hallmark-Quarantine", 0)
expect(mark ~= nil and mark:find("DMARC policy of oldshop.example: quarantine", 1, true) ~= nil,
  "the quarantine header with the reason")
check(mt.disconnect(conn), "disconnect")
