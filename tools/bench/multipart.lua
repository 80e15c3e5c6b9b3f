-- wrk script: POST the file named by the first script argument as multipart/form-data field
-- "image" (the /predict_digit contract), then print one JSON line of results for tools/bench/http_level.py.
-- usage: wrk -s tools/bench/multipart.lua URL -- path/to/image.png
local boundary = "digits-onnx-bench-boundary"
local req

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local data = file:read("*a")
  file:close()
  local body = "--" .. boundary .. "\r\n"
    .. 'Content-Disposition: form-data; name="image"; filename="digit.png"\r\n'
    .. "Content-Type: image/png\r\n\r\n"
    .. data .. "\r\n--" .. boundary .. "--\r\n"
  local headers = { ["Content-Type"] = "multipart/form-data; boundary=" .. boundary }
  req = wrk.format("POST", nil, headers, body)
end

function request()
  return req
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
