-- SPDX-License-Identifier: Apache-2.0
-- A message that passes everything gets our Authentication-Results on top and the score
-- header; nothing is removed and the SMTP answer is to accept it.
dofile(lib)
local conn = start_milter()
local reply = send(conn, "192.0.2.10", "mail.example.com", "alice@example.com",
  "bob@example.net", demo .. "/signed.eml")
expect(reply == SMFIR_ACCEPT or reply == SMFIR_CONTINUE, "the message accepted")
expect(mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results"), "Authentication-Results inserted")
local results = mt.getheader(conn, "Authentication-Results", 0)
mt.echo("Authentication-Results:" .. tostring(results))
expect(results:find("mx.example.org;", 1, true) ~= nil, "our authserv-id")
expect(results:find("spf=pass", 1, true) ~= nil, "spf=pass")
expect(results:find("dkim=pass", 1, true) ~= nil, "dkim=pass")
expect(results:find("dmarc=pass", 1, true) ~= nil, "dmarc=pass")
expect(mt.eom_check(conn, MT_HDRINSERT, "X-Hallmark-Score"), "the score header")
expect(not mt.eom_check(conn, MT_HDRCHANGE), "no field changed or removed")
expect(not mt.eom_check(conn, MT_QUARANTINE), "no quarantine")
check(mt.disconnect(conn), "disconnect")
