-- wrk script of `make load`'s realistic part (loadtest/people.py runs it): one wrk thread per
-- person, each with one keep-alive connection, doing what loadtest/client.py's Browser does in
-- the editor, with wrk's delay() as the person's thinking.
--
--   wrk -tN -cN ... -s loadtest/people.lua URL -- FILE RAMP_MS POLL_MS THINK_MS
--
-- FILE has one line per person (thread n is line n):
--   "sessionid csrf_cookie csrf_token canvas pk:version,pk:version,... shown"
-- (shown: "id=key,..." of the block's numbers on the page, as its htmx sends them in X-Shown).
-- Person n arrives RAMP_MS * (n - 1) / N ms after the start (wrk calls init() and starts each
-- thread in turn, so init() waits between them: each person connects when they arrive, as a
-- browser does; a connection opened long before its first request holds one of gunicorn's
-- threads, and a crowd connecting at once lands unevenly on its workers), opens their canvas
-- page, then saves
-- a relationship of theirs 2 to 4 times, thinking THINK_MS to twice that (1 to 2 s in `make
-- load`) before each save and once after, and again from the page. Unless POLL_MS is 0, the
-- open page asks for its live view every POLL_MS (5 s, as its htmx does), between the person's
-- own requests (one connection: a poll that is due waits for the answer before it).
--
-- Every request is timed here (request() runs just before wrk writes it); done() prints one
-- line per request, "loadtest-person: KIND START_MS MS STATUS OK", and one "loadtest-people:"
-- line with wrk's socket errors.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } canvas_timespec;
int clock_gettime(int clk_id, canvas_timespec *tp);
int usleep(unsigned int usec);
]]
local clock = ffi.new("canvas_timespec")

local function now_ms() -- wall clock, so that Python can compare with time.time()
  ffi.C.clock_gettime(0, clock) -- CLOCK_REALTIME
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local TYPES = { "personal", "communities", "self_service" }
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local editor = dofile(here .. "editor.lua")
setup = editor.setup

local function think() return think_ms * (1 + math.random()) end

function init(args)
  local line, total = editor.line(args[1], id)
  local session, secret, csrf, canvas, held, shown_text =
    line:match("^(%S+) (%S+) (%S+) (%d+) (%S+) ?(%S*)")
  math.randomseed(id)
  relationships, versions = {}, {}
  for pk, v in held:gmatch("(%d+):(%d+)") do
    relationships[#relationships + 1] = pk
    versions[pk] = tonumber(v)
  end
  shown = editor.shown(shown_text)
  cookie = editor.cookie(session, secret)
  page_path = "/canvases/" .. canvas .. "/"
  token = csrf
  poll_ms = tonumber(args[3])
  think_ms = tonumber(args[4])
  poll_path = nil
  if id > 1 then ffi.C.usleep(math.floor(tonumber(args[2]) * 1000 / total)) end -- in turn
  next_action = now_ms()
  next_poll = math.huge
  saves_left = 0 -- 0: the next action opens the page
  edits = 0
  log = {}
  pending = nil -- what is in flight: { kind, started, pk }
end

function delay()
  local wait = math.min(next_action, next_poll) - now_ms()
  return wait > 0 and math.floor(wait) or 0
end

function request()
  local now = now_ms()
  if poll_path and next_poll <= next_action then
    next_poll = next_poll + poll_ms
    if next_poll < now then next_poll = now + poll_ms end -- a slow poll: the next waits its turn
    pending = { "live poll", now }
    return wrk.format("GET", poll_path, {
      ["Cookie"] = cookie, ["HX-Request"] = "true", ["X-Shown"] = editor.shown_header(shown),
    })
  end
  if saves_left == 0 then
    pending = { "canvas page", now }
    return wrk.format("GET", page_path, { ["Cookie"] = cookie })
  end
  local pk = relationships[math.random(#relationships)]
  edits = edits + 1
  local kind = TYPES[math.random(#TYPES)]
  local body = editor.save_body(kind, "Weekly call, edit " .. edits, versions[pk])
  pending = { "htmx save", now, pk }
  return wrk.format("POST", "/relationships/" .. pk .. "/edit/", {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = token,
    ["HX-Request"] = "true",
    ["X-Shown"] = editor.shown_header(shown),
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

local function take_poll(body)
  local found = body:match('id="live%-poll"[^>]-hx%-get="([^"]+)"')
  if found then poll_path = found:gsub("&amp;", "&") end
  return found
end

function response(status, headers, body)
  local now = now_ms()
  if not pending then return end
  local kind, started, pk = pending[1], pending[2], pending[3]
  pending = nil
  local ok
  if kind == "live poll" then
    ok = status == 200 or status == 204
    if status == 200 then take_poll(body) end -- htmx swaps the poller: the new revision
  elseif kind == "canvas page" then
    ok = status == 200
    if ok then
      shown = {} -- a new page
      editor.take_shown(body, shown)
      if poll_ms > 0 and take_poll(body) then next_poll = now + poll_ms end
    end
    saves_left = math.random(2, 4)
    next_action = now + think()
  else
    local outcome, held = "other", nil
    if status == 200 then outcome, held = editor.saved(body, pk) end
    ok = outcome == "saved" -- nobody else edits this canvas: a conflict is a fault
    if outcome == "conflict" and held then versions[pk] = held end
    if ok then
      versions[pk] = versions[pk] + 1
      editor.take_shown(body, shown)
    end
    saves_left = saves_left - 1
    next_action = now + think() -- after the last save too, before the page again
  end
  log[#log + 1] = string.format("%s %.1f %.2f %d %d", kind:gsub(" ", "_"), started,
    now - started, status, ok and 1 or 0)
end

function done(summary, latency, requests)
  for _, thread in ipairs(editor.threads) do
    for _, entry in ipairs(thread:get("log") or {}) do
      io.write("loadtest-person: ", entry, "\n")
    end
  end
  local e = summary.errors
  io.write(string.format(
    "loadtest-people: requests=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, e.connect, e.read, e.write, e.timeout))
end
