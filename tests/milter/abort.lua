-- SPDX-License-Identifier: Apache-2.0
-- An aborted transaction (RSET) drops its session; the next one on the same connection is
-- checked from scratch with its own envelope.
dofile(lib)
local conn = start_milter()
check(mt.conninfo(conn, "client.example", "203.0.113.66"), "conninfo")
check(mt.helo(conn, "bogus.example"), "helo")
check(mt.mailfrom(conn, "<ceo@example.com>"), "mailfrom")
check(mt.rcptto(conn, "<bob@example.net>"), "rcptto")
check(mt.header(conn, "From", " ceo@example.com"), "header")
check(mt.abort(conn), "abort")
check(mt.mailfrom(conn, "<alice@example.com>"), "mailfrom")
check(mt.rcptto(conn, "<bob@example.net>"), "rcptto")
local fields, body = read_message(demo .. "/signed.eml")
send_headers(conn, fields)
check(mt.eoh(conn), "eoh")
check(mt.bodystring(conn, body), "body")
check(mt.eom(conn), "eom")
local results = mt.getheader(conn, "Authentication-Results", 0)
expect(results ~= nil and results:find("smtp.mailfrom=alice@example.com", 1, true) ~= nil,
  "the second transaction's own MAIL FROM")
expect(results:find("ceo@", 1, true) == nil, "nothing of the aborted one")
check(mt.disconnect(conn), "disconnect")
