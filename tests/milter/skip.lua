-- SPDX-License-Identifier: Apache-2.0
-- Clients in skip_networks are accepted at connect, authenticated submission at MAIL FROM:
-- neither message is touched. A client outside both is checked.
dofile(lib)
local conn = start_milter()
local reply = send(conn, "127.0.0.1", "localhost", "alice@example.com", "bob@example.net",
  demo .. "/signed.eml")
expect(reply == SMFIR_ACCEPT, "localhost accepted at connect")
check(mt.disconnect(conn), "disconnect")

conn = mt.connect("unix:" .. socket, 50, 0.1)
reply = send(conn, "192.0.2.10", "mail.example.com", "alice@example.com", "bob@example.net",
  demo .. "/signed.eml", nil, { "{auth_authen}", "alice" })
expect(reply == SMFIR_ACCEPT, "an authenticated user's message accepted at MAIL FROM")
check(mt.disconnect(conn), "disconnect")

conn = mt.connect("unix:" .. socket, 50, 0.1)
reply = send(conn, "192.0.2.10", "mail.example.com", "alice@example.com", "bob@example.net",
  demo .. "/signed.eml")
expect(mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results"), "another client is checked")
check(mt.disconnect(conn), "disconnect")
