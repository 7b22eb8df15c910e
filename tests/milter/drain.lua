-- SPDX-License-Identifier: Apache-2.0
-- SIGTERM mid-message: the message in flight still gets its verdict and fields, a new one is
-- refused with a temporary failure, and the milter then exits.
dofile(lib)
local conn = start_milter()
check(mt.conninfo(conn, "client.example", "192.0.2.10"), "conninfo")
check(mt.helo(conn, "mail.example.com"), "helo")
check(mt.mailfrom(conn, "<alice@example.com>"), "mailfrom")
check(mt.rcptto(conn, "<bob@example.net>"), "rcptto")
local fields, body = read_message(demo .. "/signed.eml")
send_headers(conn, fields)
check(mt.eoh(conn), "eoh")
mt.signal(15) -- SIGTERM
mt.sleep(0.5)
-- A transaction started now is refused for the time being; the client retries later.
local late = mt.connect("unix:" .. socket, 10, 0.1)
expect(late ~= nil, "the socket still answers while messages finish")
check(mt.conninfo(late, "client.example", "192.0.2.20"), "conninfo")
check(mt.mailfrom(late, "<late@example.com>"), "mailfrom")
expect(mt.getreply(late) == SMFIR_REPLYCODE, "a new message is refused with a reply code")
check(mt.bodystring(conn, body), "body")
check(mt.eom(conn), "eom")
local results = mt.getheader(conn, "Authentication-Results", 0)
expect(results ~= nil and results:find("dmarc=pass", 1, true) ~= nil,
  "the message in flight finished with its results")
check(mt.disconnect(conn), "disconnect")
