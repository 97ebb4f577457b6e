#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A private Postfix on 127.0.0.1 for tests and demos: own config, queue, log and ports; no
# systemd. Source it (bash), as root.
#   pf_start DIR        starts it (sets PF_PORT, PF_SINK_PORT, PF_DEAD_PORT, PF_LOG, PF_CONF):
#                       sink.test is delivered to an smtp-sink on PF_SINK_PORT, defer.test to
#                       PF_DEAD_PORT where nothing listens (deferred), nowhere.example does not
#                       resolve (bounced), reject.test is refused at RCPT (rejected)
#   pf_stop             stops Postfix and the sink (also call it from the caller's EXIT trap)
#   pf_wait_idle [SECS] waits (at most SECS, default 60) until the queue holds only deferred
#                       mail (or nothing) and the log has stopped growing

# A TCP port nothing listens on now (a random one in a private range, checked with ss).
pf_free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 20000))
        ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
    done
    return 1
}

pf_start() {
    PF_DIR=$1
    PF_CONF=$PF_DIR/etc
    PF_LOG=$PF_DIR/maillog
    PF_PORT=$(pf_free_port) && PF_SINK_PORT=$(pf_free_port) && PF_DEAD_PORT=$(pf_free_port) || return 1
    mkdir -p "$PF_CONF" "$PF_DIR/spool" "$PF_DIR/data"
    chown postfix "$PF_DIR/data"
    # master.cf: no chroot anywhere, smtpd on our port only.
    awk -v port="$PF_PORT" '
        /^#/ || /^[ \t]/ || NF < 8 { print; next }
        $1 == "smtp" && $2 == "inet" { $1 = "127.0.0.1:" port }
        { $5 = "n"; print }' /etc/postfix/master.cf >"$PF_CONF/master.cf"
    cat >"$PF_CONF/main.cf" <<CONF
compatibility_level = 3.6
myhostname = mta.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
queue_directory = $PF_DIR/spool
data_directory = $PF_DIR/data
maillog_file = $PF_LOG
maillog_file_prefixes = /tmp, /var, /work, $PF_DIR
relay_domains = sink.test defer.test nowhere.example
transport_maps = inline:{ sink.test=smtp:[127.0.0.1]:$PF_SINK_PORT, defer.test=smtp:[127.0.0.1]:$PF_DEAD_PORT }
smtpd_recipient_restrictions = check_recipient_access inline:{ {reject.test=REJECT no such domain here} } permit_mynetworks reject_unauth_destination
smtp_dns_support_level = disabled
smtp_connect_timeout = 2s
smtp_connection_cache_on_demand = no
minimal_backoff_time = 300s
maximal_backoff_time = 600s
queue_run_delay = 300s
alias_maps =
alias_database =
CONF
    smtp-sink -u postfix "127.0.0.1:$PF_SINK_PORT" 100 &
    PF_SINK_PID=$!
    postfix -c "$PF_CONF" start >/dev/null 2>&1 || { script -qc "postfix -c $PF_CONF check" /dev/null; return 1; }
    for _ in $(seq 1 100); do
        ss -Htln "sport = :$PF_PORT" | grep -q . && return 0
        sleep 0.1
    done
    echo "postfix did not listen on 127.0.0.1:$PF_PORT" >&2
    return 1
}

pf_stop() {
    [ -n "${PF_CONF:-}" ] && postfix -c "$PF_CONF" stop >/dev/null 2>&1
    if [ -n "${PF_SINK_PID:-}" ]; then
        kill "$PF_SINK_PID" 2>/dev/null && wait "$PF_SINK_PID" 2>/dev/null
    fi
    PF_CONF='' PF_SINK_PID=''
    return 0
}

# The queue holds nothing in maildrop, incoming or active (postqueue -j: one JSON object per
# message with its queue_name), and the log has not grown for a second, twice in a row.
pf_wait_idle() {
    local deadline=$((SECONDS + ${1:-60})) quiet=0 size last=-1
    while [ "$SECONDS" -lt "$deadline" ]; do
        size=$(stat -c %s "$PF_LOG" 2>/dev/null || echo 0)
        if postqueue -c "$PF_CONF" -j 2>/dev/null | grep -qv '"queue_name": *"deferred"'; then
            quiet=0
        elif [ "$size" = "$last" ]; then
            quiet=$((quiet + 1))
            [ "$quiet" -ge 2 ] && return 0
        else
            quiet=0
        fi
        last=$size
        sleep 1
    done
    echo "postfix: the queue did not settle in ${1:-60} s" >&2
    return 1
}
