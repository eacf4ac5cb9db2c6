# tests/support/server.sh — starting the portal for end-to-end tests
# (sourced after e2e.sh, from the repository root).
# hq_fixture_data DIR        indexes tests/fixtures/server into the data folder DIR
# hq_start_server DATA LOGS [OPTION...]  starts `healthqa serve --port 0 $HQ_SERVE_ARGS OPTION...`
#                            on DATA, logs in the
#                            folder LOGS (access.log, server.log); sets HQ_PID,
#                            HQ_PORT and HQ_BASE (http://127.0.0.1:PORT); 1 if it
#                            does not come up within 30 s
# hq_stop_server             SIGTERM, then waits; returns the server's exit status
hq_fixture_data() {
    "$HQ" --data "$1" index tests/fixtures/server >/dev/null 2>&1
}
hq_start_server() {
    # emptied here, not by the background job's redirection, which may come
    # after the first look for the port (and find a stopped server's)
    : >"$2/server.log"
    # shellcheck disable=SC2086  # HQ_SERVE_ARGS is a list of options
    "$HQ" --data "$1" serve --port 0 --threads 2 ${HQ_SERVE_ARGS:-} "${@:3}" >"$2/access.log" 2>"$2/server.log" &
    HQ_PID=$!
    HQ_PORT=
    local i
    for i in $(seq 1 600); do
        HQ_PORT=$(sed -n 's|.*serving http://[^:]*:\([0-9]*\)/.*|\1|p' "$2/server.log")
        [ -n "$HQ_PORT" ] && break
        kill -0 "$HQ_PID" 2>/dev/null || return 1
        sleep 0.05
    done
    [ -n "$HQ_PORT" ] || return 1
    HQ_BASE=http://127.0.0.1:$HQ_PORT
}
hq_stop_server() {
    kill -TERM "$HQ_PID" 2>/dev/null
    wait "$HQ_PID"
}
