# Sourced by bench/run.sh and bench/pages.sh: the portal under test, started in the
# background with its pid in SERVER_PID, and the cookies of a curl session.

SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# cookies_of JAR: the jar's cookies as a Cookie header's value, "name=value; name=value".
cookies_of() {
  awk '($1 !~ /^#/ || $1 ~ /^#HttpOnly_/) && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$1"
}

# has_session JAR: whether the server set a cookie besides csrf (the session's, HttpOnly).
has_session() {
  awk '($1 !~ /^#/ || $1 ~ /^#HttpOnly_/) && NF >= 7 && $6 != "csrf"' "$1" | grep -q .
}
