-- What loadtest/wrk.lua and loadtest/people.lua share: how a wrk script plays the editor page
-- of one seeded person (loadtest/client.py's opened_page writes their lines).
--
--   local editor = dofile(<this folder> .. "editor.lua")
--
-- Each wrk thread has its own Lua state and loads this file for itself.

local editor = { threads = {} }

-- wrk calls setup() once per thread, in the main state, before it starts them: each thread
-- gets its number (thread n plays line n) and done() can read every thread's counters.
function editor.setup(thread)
  editor.threads[#editor.threads + 1] = thread
  thread:set("id", #editor.threads)
end

function editor.urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- Line n of FILE (blank lines left out), for thread n, and how many lines there are.
function editor.line(path, id)
  local lines = {}
  for line in io.lines(path) do
    if line:match("%S") then lines[#lines + 1] = line end
  end
  return lines[((id - 1) % #lines) + 1], #lines
end

-- The Cookie header of a person: their session, the page's CSRF cookie, English (so that the
-- conflict message can be recognised).
function editor.cookie(session, secret)
  return "sessionid=" .. session .. "; csrftoken=" .. secret .. "; django_language=en"
end

-- What the page shows of the block's numbers: {element id = key}, from "id=key,..."
function editor.shown(text)
  local shown = {}
  for id, key in (text or ""):gmatch("([^,=]+)=([^,]+)") do shown[id] = key end
  return shown
end

-- X-Shown as static/js/app.js sends it (nil: no header).
function editor.shown_header(shown)
  local keys = {}
  for _, key in pairs(shown) do keys[#keys + 1] = key end
  return #keys > 0 and table.concat(keys, " ") or nil
end

-- Takes the pieces an answer swapped into ``shown``; whether there were any.
function editor.take_shown(body, shown)
  local swapped = false
  for id, key in body:gmatch('id="([^"]+)"[^>]-data%-shown="([^"]+)"') do
    shown[id] = key
    swapped = true
  end
  return swapped
end

-- The save's form body, as the relationship's edit form sends it.
function editor.save_body(kind, interaction, version)
  return "type=" .. kind .. "&state=established&contact=remote&reach=individual"
    .. "&bond=long_term&goals=acquisition&goals=retention"
    .. "&interaction=" .. editor.urlencode(interaction)
    .. "&version=" .. version
end

-- How a save's 200 answer reads: "conflict" and the version saved meanwhile (the form comes
-- back with it), "saved" when the relationship's card came back, else "other".
function editor.saved(body, pk)
  if body:find("changed in another tab", 1, true) then -- relationships.forms, in English
    local held = body:match('name="version" value="(%d+)"')
    return "conflict", held and tonumber(held)
  end
  if body:find('id="relationship-' .. pk .. '"', 1, true) then return "saved" end
  return "other"
end

return editor
