-- wrk script of bench/gateway.sh: PUT (64-byte values) or GET of /kv/key:N, N random below the key count.
-- Arguments after --: put|get, the password, the key count. A GET of a key never written answers 404 (counted by
-- wrk as non-2xx); the PUTs run first, so most keys exist.
local value = string.rep("x", 64)

function init(args)
  op, keys = args[1], tonumber(args[3])
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  if op == "put" then
    wrk.method = "PUT"
    wrk.body = value
    wrk.headers["Content-Type"] = "application/octet-stream"
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  return wrk.format(nil, "/kv/key:" .. math.random(0, keys - 1))
end
