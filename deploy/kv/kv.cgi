#!/bin/sh
# The store's one CGI script, called as get, incr or set (symbolic links):
# a key is a file of /data. A directory made with mkdir is the lock that
# keeps two requests from changing a key at once.
op=${0##*/}
key=${QUERY_STRING%%=*}
value=${QUERY_STRING#*=}

answer() {
	printf 'Status: %s\r\nContent-Type: text/plain\r\n\r\n%s\n' "$1" "$2"
	exit 0
}

case $key in
'' | *[!a-zA-Z0-9_-]*) answer '400 Bad Request' 'a key is letters, digits, - and _' ;;
esac
file=/data/$key

lock() {
	tries=0
	until mkdir /data/.lock 2>/dev/null; do
		tries=$((tries + 1))
		# A lock older than two seconds was left by a killed request.
		[ "$tries" -gt 200 ] && rmdir /data/.lock 2>/dev/null
		usleep 10000
	done
}

case $op in
get)
	answer '200 OK' "$(cat "$file" 2>/dev/null)"
	;;
incr)
	lock
	n=$(cat "$file" 2>/dev/null)
	case $n in '' | *[!0-9]*) n=0 ;; esac
	n=$((n + 1))
	echo "$n" >"$file.new" && mv "$file.new" "$file"
	rmdir /data/.lock
	echo "kv: $key = $n" >&2
	answer '200 OK' "$n"
	;;
set)
	lock
	printf '%s\n' "$value" >"$file.new" && mv "$file.new" "$file"
	rmdir /data/.lock
	echo "kv: $key set" >&2
	answer '200 OK' "$value"
	;;
*)
	answer '404 Not Found' "no such operation: $op"
	;;
esac
