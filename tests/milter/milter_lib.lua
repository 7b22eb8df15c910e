-- SPDX-License-Identifier: Apache-2.0
-- Helpers for the miltertest scripts: start hallmark-milter, connect, and send a demo message
-- file through every milter step as an MTA would. The scripts get their paths with -D:
-- milter (the binary), config (its configuration), socket (where it listens), demo (the
-- examples/demo folder).

function start_milter()
  mt.startfilter(milter, "-c", config)
  local conn = mt.connect("unix:" .. socket, 50, 0.1)
  if conn == nil then
    error("cannot connect to the milter at " .. socket)
  end
  return conn
end

function check(result, what)
  if result ~= nil then
    error(what .. ": " .. tostring(result))
  end
end

-- The header fields (name, value as after the colon) and the body of a message file, with
-- CRLF line ends as SMTP carries them.
function read_message(path)
  local file = io.open(path, "rb")
  if file == nil then
    error("cannot read " .. path)
  end
  local text = file:read("*a")
  file:close()
  text = text:gsub("\r\n", "\n")
  local head, body = text:match("^(.-)\n\n(.*)$")
  if head == nil then
    head, body = text, ""
  end
  local fields = {}
  for line in (head .. "\n"):gmatch("(.-)\n") do
    if line:match("^[ \t]") and #fields > 0 then
      fields[#fields].value = fields[#fields].value .. "\n" .. line
    else
      local name, value = line:match("^([^:]+):(.*)$")
      if name == nil then
        error(path .. ": not a header field: " .. line)
      end
      table.insert(fields, { name = name, value = value })
    end
  end
  return fields, body:gsub("\n", "\r\n")
end

-- The header fields, their values as the MTA would give them: with the blank after the colon
-- when SMFIP_HDR_LEADSPC was agreed, without it otherwise.
function send_headers(conn, fields)
  local leading_space = mt.test_option(conn, SMFIP_HDR_LEADSPC)
  for _, field in ipairs(fields) do
    local value = field.value
    if not leading_space then
      value = value:gsub("^ ", "")
    end
    check(mt.header(conn, field.name, value), "header " .. field.name)
  end
end

-- One whole transaction: connection from ip/helo, MAIL FROM, RCPT TO, the message, and end
-- of message. `extra_fields` are put on top of the message's own (forged results, say);
-- `macros` are sent with MAIL FROM ({auth_authen}).
function send(conn, ip, helo, from, rcpt, path, extra_fields, macros)
  check(mt.conninfo(conn, "client.example", ip), "conninfo")
  if mt.getreply(conn) == SMFIR_ACCEPT then
    return SMFIR_ACCEPT
  end
  check(mt.helo(conn, helo), "helo")
  if macros ~= nil then
    check(mt.macro(conn, SMFIC_MAIL, table.unpack(macros)), "macro")
  end
  check(mt.mailfrom(conn, "<" .. from .. ">"), "mailfrom")
  if mt.getreply(conn) == SMFIR_ACCEPT then
    return SMFIR_ACCEPT
  end
  check(mt.rcptto(conn, "<" .. rcpt .. ">"), "rcptto")
  local fields, body = read_message(path)
  for _, field in ipairs(extra_fields or {}) do
    table.insert(fields, 1, field)
  end
  send_headers(conn, fields)
  check(mt.eoh(conn), "eoh")
  check(mt.bodystring(conn, body), "body")
  check(mt.eom(conn), "eom")
  return mt.getreply(conn)
end

function expect(condition, what)
  if not condition then
    error("expected " .. what)
  end
  mt.echo("ok: " .. what)
end
