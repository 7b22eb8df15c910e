-- SPDX-License-Identifier: Apache-2.0
-- Authentication-Results fields that claim our authserv-id on arrival are forgeries (RFC 8601
-- 5): both are removed, and another host's field stays.
dofile(lib)
local conn = start_milter()
local forged = {
  { name = "Authentication-Results", value = " mx.example.org; dmarc=pass header.from=example.com" },
  { name = "Authentication-Results", value = " other.example; spf=pass smtp.mailfrom=example.com" },
  { name = "Authentication-Results", value = " MX.Example.Org (spoofed); dkim=pass" },
}
local reply = send(conn, "203.0.113.66", "bogus.example", "ceo@example.com",
  "bob@example.net", demo .. "/spoof.eml", forged)
expect(reply == SMFIR_ACCEPT or reply == SMFIR_CONTINUE, "the message accepted (reject_dmarc off)")
expect(mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results"), "our forged results removed")
local results = mt.getheader(conn, "Authentication-Results", 0)
expect(results:find("dmarc=fail", 1, true) ~= nil, "our own dmarc=fail added")
check(mt.disconnect(conn), "disconnect")
