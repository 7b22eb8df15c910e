-- SPDX-License-Identifier: Apache-2.0
-- With reject_dmarc, a forgery of a p=reject domain is refused with 550 5.7.1 naming the
-- domain, and no field is added.
dofile(lib)
local conn = start_milter()
local reply = send(conn, "203.0.113.66", "bogus.example", "ceo@example.com",
  "bob@example.net", demo .. "/spoof.eml")
expect(reply == SMFIR_REPLYCODE, "a reply code")
expect(mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
  "Message rejected: it fails the DMARC policy of example.com"), "550 5.7.1 naming example.com")
expect(not mt.eom_check(conn, MT_HDRINSERT), "no field added to a rejected message")
check(mt.disconnect(conn), "disconnect")
