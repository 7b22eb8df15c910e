-- SPDX-License-Identifier: Apache-2.0
-- temporary_failure = tempfail: SERVFAIL for the sender's SPF and DMARC records is answered
-- 451 4.7.0 naming them, so the sender retries.
dofile(lib)
local conn = start_milter()
local reply = send(conn, "198.51.100.7", "mail.flaky.example", "billing@flaky.example",
  "bob@example.net", here .. "/flaky.eml")
expect(reply == SMFIR_REPLYCODE, "a reply code")
expect(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.7.0",
  "Temporary DNS failure checking SPF, DMARC; try again later"), "451 4.7.0 naming SPF and DMARC")
check(mt.disconnect(conn), "disconnect")
