-- wrk script of `make load` (loadtest/wrk.py runs it; one connection per wrk thread).
--
--   wrk ... -s loadtest/wrk.lua URL -- get PATH COOKIE
--       GET PATH with that Cookie header.
--   wrk ... -s loadtest/wrk.lua URL -- save FILE
--       the htmx save of a relationship: FILE has one line per connection,
--       "sessionid csrf_cookie csrf_token relationship_pk version shown" (the csrftoken cookie
--       and the masked token of the page, as htmx sends it; shown: "id=key,..." of the
--       block's numbers on the page); thread n saves line n's relationship as that user would
--       in the editor (HX-Request, X-CSRFToken header and csrftoken cookie, X-Shown with what
--       the page shows, kept up to date from each answer's pieces, the form body with the
--       version it last saw). A save that went through takes
--       the version one up; a conflict answer carries the saved version, which the next save
--       sends (so every connection keeps saving for real, and conflicts are counted).
--
-- Every thread counts answers by status, and saves as written / conflict / other; done()
-- prints one "loadtest-wrk:" line that loadtest/wrk.py reads, with p50/p95/p99 of latency.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local editor = dofile(here .. "editor.lua")
setup = editor.setup

function init(args)
  statuses = {}
  written, conflicts, refused = 0, 0, 0
  mode = args[1]
  if mode == "save" then
    local line = editor.line(args[2], id)
    local session, secret, csrf, pk, v, held = line:match("^(%S+) (%S+) (%S+) (%d+) (%d+) ?(%S*)")
    shown = editor.shown(held)
    relationship, version, edits = pk, tonumber(v), 0
    save_path = "/relationships/" .. pk .. "/edit/"
    save_headers = {
      ["Cookie"] = editor.cookie(session, secret),
      ["X-CSRFToken"] = csrf,
      ["HX-Request"] = "true",
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }
    save_headers["X-Shown"] = editor.shown_header(shown)
  else
    fixed = wrk.format("GET", args[2], { ["Cookie"] = args[3] })
  end
end

function request()
  if mode ~= "save" then
    return fixed
  end
  edits = edits + 1
  local text = "Weekly call, wrk edit " .. id .. "." .. edits
  local body = editor.save_body("personal", text, version)
  return wrk.format("POST", save_path, save_headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if mode ~= "save" then
    return
  end
  local outcome, held = "other", nil
  if status == 200 then outcome, held = editor.saved(body, relationship) end
  if outcome == "conflict" then
    conflicts = conflicts + 1
    if held then version = held end
  elseif outcome == "saved" then
    written = written + 1
    version = version + 1
    if editor.take_shown(body, shown) then
      save_headers["X-Shown"] = editor.shown_header(shown)
    end
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local by_status, w, c, r = {}, 0, 0, 0
  for _, thread in ipairs(editor.threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      by_status[status] = (by_status[status] or 0) + n
    end
    w = w + (thread:get("written") or 0)
    c = c + (thread:get("conflicts") or 0)
    r = r + (thread:get("refused") or 0)
  end
  local parts = {}
  for status, n in pairs(by_status) do
    parts[#parts + 1] = status .. ":" .. n
  end
  local e = summary.errors
  io.write(string.format(
    "loadtest-wrk: requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d "
      .. "connect=%d read=%d write=%d status=%d timeout=%d written=%d conflicts=%d "
      .. "refused=%d statuses=%s\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
    w, c, r, table.concat(parts, ",")))
end
