-- SPDX-License-Identifier: Apache-2.0
-- SIGHUP re-reads the allow lists: bank.example, allow-listed, earns BLOCKLIST_DMARC for a
-- tampered message; once the list is emptied and the milter signalled, it no longer does. The
-- milter keeps serving across the signal.
dofile(lib)

function score_of(conn)
  return send(conn, "198.51.100.99", "mail.bank-secure.example", "statements@bank.example",
    "bob@example.net", demo .. "/allowlisted.eml") and mt.getheader(conn, "X-Hallmark-Score", 0)
end

local conn = start_milter()
local before = score_of(conn)
expect(before:find("BLOCKLIST_DMARC", 1, true) ~= nil, "BLOCKLIST_DMARC while bank.example is listed")
check(mt.disconnect(conn), "disconnect")

local list = io.open(work .. "/allow-dmarc", "w")
list:write("# emptied by the reload test\n")
list:close()
mt.signal(1) -- SIGHUP
mt.sleep(0.5)

conn = mt.connect("unix:" .. socket, 50, 0.1)
local after = score_of(conn)
expect(after:find("BLOCKLIST_DMARC", 1, true) == nil, "no BLOCKLIST_DMARC after the reload")
check(mt.disconnect(conn), "disconnect")
