-- SPDX-License-Identifier: Apache-2.0
-- With a sealing key, the message leaves with a new ARC set on top: instance 1 (no chain
-- came in), cv=none, and our results in the ARC-Authentication-Results.
dofile(lib)
local conn = start_milter()
local reply = send(conn, "192.0.2.10", "mail.example.com", "alice@example.com",
  "bob@example.net", demo .. "/signed.eml")
expect(reply == SMFIR_ACCEPT or reply == SMFIR_CONTINUE, "the message accepted")
local seal = mt.getheader(conn, "ARC-Seal", 0)
local signature = mt.getheader(conn, "ARC-Message-Signature", 0)
local results = mt.getheader(conn, "ARC-Authentication-Results", 0)
expect(seal ~= nil and signature ~= nil and results ~= nil, "the three ARC fields")
expect(seal:find("i=1;", 1, true) ~= nil and seal:find("cv=none", 1, true) ~= nil,
  "ARC-Seal i=1 cv=none")
expect(seal:find("d=lists.example.net", 1, true) ~= nil and seal:find("s=arc", 1, true) ~= nil,
  "the configured domain and selector")
expect(results:find("i=1; mx.example.org;", 1, true) ~= nil, "the AAR names us")
expect(results:find("dmarc=pass", 1, true) ~= nil, "the AAR carries our results")
expect(mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results"), "Authentication-Results too")
check(mt.disconnect(conn), "disconnect")
