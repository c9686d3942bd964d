#!/bin/sh
# The app's page: a greeting, the container that answers, and the number of
# visits so far, which the store counts.
html() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'; }
greeting=$(printf '%s' "${GREETING:-Hello}" | html)
if n=$(timeout 3 wget -q -O- "http://${STORE:-store}/cgi-bin/incr?hits" 2>/dev/null) && [ -n "$n" ]; then
	times=times
	[ "$n" = 1 ] && times=time
	visits="This page has been visited $n $times."
else
	visits="The store at ${STORE:-store} does not answer."
	echo "counter: no answer from the store at ${STORE:-store}" >&2
fi
visits=$(printf '%s' "$visits" | html)
printf 'Content-Type: text/html; charset=utf-8\r\n\r\n'
cat <<PAGE
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Visit counter</title></head>
<body>
<h1>$greeting from $(hostname)!</h1>
<p>$visits</p>
</body>
</html>
PAGE
