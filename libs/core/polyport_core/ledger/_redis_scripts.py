"""Lua scripts that make the Redis ledger's reserve/settle/release atomic.

A script runs alone on the server, so "check every cap, then hold on every
cap" cannot interleave with another worker's reserve. Time comes from the
server (``TIME``) so workers with skewed clocks agree on hold expiry.
Keys per capped bucket: spend counter, holds zset (member → expiry), holds
hash (member → amount).
"""

from __future__ import annotations

RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local id = ARGV[1]
local amount = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local n = #KEYS / 3
for i = 1, n do
  local z, h = KEYS[3 * i - 1], KEYS[3 * i]
  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
  if #expired > 0 then
    redis.call('HDEL', h, unpack(expired))
    redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
  end
  local held = 0
  for _, v in ipairs(redis.call('HVALS', h)) do held = held + tonumber(v) end
  local spent = tonumber(redis.call('GET', KEYS[3 * i - 2]) or '0')
  if spent + held + amount > tonumber(ARGV[3 + i]) then
    return {i, tostring(spent), tostring(held)}
  end
end
for i = 1, n do
  redis.call('ZADD', KEYS[3 * i - 1], now + ttl, id)
  redis.call('HSET', KEYS[3 * i], id, ARGV[2])
  redis.call('EXPIRE', KEYS[3 * i - 1], math.ceil(ttl) + 60)
  redis.call('EXPIRE', KEYS[3 * i], math.ceil(ttl) + 60)
end
return {0}
"""

SETTLE = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[5])) then return 0 end
local nh = tonumber(ARGV[3])
local ns = tonumber(ARGV[4])
for i = 1, nh do
  redis.call('ZREM', KEYS[1 + 2 * i], ARGV[1])
  redis.call('HDEL', KEYS[2 + 2 * i], ARGV[1])
end
if tonumber(ARGV[2]) > 0 then
  for j = 1, ns do redis.call('INCRBY', KEYS[2 + 2 * nh + j], ARGV[2]) end
end
redis.call('XADD', KEYS[2], '*', 'r', ARGV[6])
return 1
"""

RELEASE = """
for i = 1, #KEYS / 2 do
  redis.call('ZREM', KEYS[2 * i - 1], ARGV[1])
  redis.call('HDEL', KEYS[2 * i], ARGV[1])
end
return 1
"""

RESERVED = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local held = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
  held = held + tonumber(redis.call('HGET', KEYS[2], id) or '0')
end
return tostring(held)
"""
