/*
 * syslog_out.c - events to a syslog collector, one RFC 5424 message each.
 *
 *   SYSLOG-MSG = "<" PRI ">1" SP TIMESTAMP SP HOSTNAME SP APP-NAME SP
 *                PROCID SP MSGID SP "-" SP MSG
 *
 * PRI is facility * 8 + severity (RFC 5424 section 6.2.1), the event's
 * severity as eve gives it; TIMESTAMP the event's own time; MSGID its
 * dataset; MSG the event's JSON, the very text the event file gets.
 *
 * UDP (RFC 5426): one datagram per message, sent at once without waiting;
 * a message longer than max_message is cut at a UTF-8 boundary, sent, and
 * counted lost (its JSON is no longer whole).  A datagram that the kernel
 * does not take is counted lost; whether it arrives is not known.
 *
 * TCP (RFC 6587 section 3.4.1, octet counting): "MSG-LEN SP SYSLOG-MSG".
 * Framed messages wait in one bounded byte queue and leave it as fast as
 * the non-blocking socket takes them, each time an event is put and on
 * every flush (once a second on a live capture).  While the collector is
 * away the queue fills; a message that finds it full is counted lost.  A
 * broken connection is made again after a delay that doubles up to
 * TCP_RETRY_MAX_US; a message half sent when it broke is sent again whole
 * on the new connection.  What the kernel had taken before the break and
 * the collector did not read is lost without our knowing: plain TCP
 * syslog has no acknowledgements.  The capture loop never waits on the
 * collector, except at the end of the run (finish(), close) for a bounded
 * time.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "syslog_out.h"

/* Delays between TCP connection attempts: doubled after each failure. */
#define TCP_RETRY_MIN_US 250000ULL
#define TCP_RETRY_MAX_US 30000000ULL
/* How long the end of a run waits for the collector to take the queue. */
#define FINISH_WAIT_US 2000000ULL
#define CLOSE_WAIT_US 1000000ULL

enum tcp_state {
	TCP_DOWN,		/* no socket; next attempt at retry_at */
	TCP_CONNECTING,		/* non-blocking connect() under way */
	TCP_UP,
};

struct syslog_out {
	struct syslog_out_options opt;
	char hostname[256];
	unsigned long pid;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int fd;
	/* TCP: */
	enum tcp_state state;
	uint64_t retry_at, retry_delay;	/* monotonic microseconds */
	char *queue;			/* framed messages, oldest at head */
	size_t head, tail;
	size_t head_sent;		/* bytes of the queue sent from head */
	uint64_t queued;		/* whole messages in the queue */
	struct syslog_out_counts n;
};

/* The facilities of RFC 5424 section 6.2.1, by code. */
static const char *const facilities[24] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6",
	"local7",
};

const char syslog_facility_names[] = "kern, user, mail, daemon, auth, "
    "syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, audit, alert, "
    "clock, local0 .. local7";

int
syslog_facility_parse(const char *name)
{
	for (int i = 0; i < 24; i++)
		if (strcmp(facilities[i], name) == 0)
			return i;
	return -1;
}

int
syslog_target_parse(const char *s, struct syslog_target *ret, char *err,
    size_t errlen)
{
	struct syslog_target t;
	const char *host, *end, *port = NULL;
	size_t hlen;

	memset(&t, 0, sizeof(t));
	if (strncmp(s, "udp://", 6) == 0) {
		t.transport = SYSLOG_UDP;
	} else if (strncmp(s, "tcp://", 6) == 0) {
		t.transport = SYSLOG_TCP;
	} else {
		snprintf(err, errlen, "expected udp://HOST[:PORT] or "
		    "tcp://HOST[:PORT]");
		return -EINVAL;
	}
	host = s + 6;
	if (host[0] == '[') {
		/* An IPv6 address, bracketed because of its colons. */
		if ((end = strchr(host, ']')) == NULL) {
			snprintf(err, errlen, "no ']' after the IPv6 address");
			return -EINVAL;
		}
		host++;
		hlen = (size_t)(end - host);
		end++;
	} else {
		end = host + strcspn(host, ":/");
		hlen = (size_t)(end - host);
	}
	if (*end == ':')
		port = end + 1;
	else if (*end != '\0') {
		snprintf(err, errlen, "unexpected text after the host");
		return -EINVAL;
	}
	if (hlen == 0 || hlen >= sizeof(t.host)) {
		snprintf(err, errlen, "expected a host name or address");
		return -EINVAL;
	}
	memcpy(t.host, host, hlen);
	t.host[hlen] = '\0';
	if (port != NULL) {
		unsigned long v = 0;
		size_t i;

		for (i = 0; port[i] >= '0' && port[i] <= '9' && i < 6; i++)
			v = v * 10 + (unsigned long)(port[i] - '0');
		if (i == 0 || port[i] != '\0' || v == 0 || v > 65535) {
			snprintf(err, errlen, "expected a port (1-65535)");
			return -EINVAL;
		}
		snprintf(t.port, sizeof(t.port), "%lu", v);
	} else {
		snprintf(t.port, sizeof(t.port), "%s",
		    t.transport == SYSLOG_UDP ? "514" : "601");
	}
	*ret = t;
	return 0;
}

/* PRINTUSASCII (33..126) of 1..max characters: the header's tokens. */
static bool
token_ok(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (i == max || (unsigned char)s[i] < 33 ||
		    (unsigned char)s[i] > 126)
			return false;
	return true;
}

size_t
syslog_header_format(char *buf, const struct syslog_header *h)
{
	time_t secs = (time_t)(h->ts_us / 1000000);
	char ts[64] = "-";
	struct tm tm;
	int n;

	/* RFC 5424 section 6.2.3: RFC 3339, four-digit year, UTC here. */
	if (gmtime_r(&secs, &tm) != NULL && tm.tm_year + 1900 <= 9999 &&
	    tm.tm_year + 1900 >= 0)
		snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (unsigned)(h->ts_us % 1000000));
	n = snprintf(buf, SYSLOG_HEADER_MAX, "<%d>1 %s %s %s %lu %s - ",
	    (h->facility & 31) * 8 + (h->severity & 7), ts,
	    token_ok(h->hostname, 255) ? h->hostname : "-",
	    token_ok(h->app_name, 48) ? h->app_name : "-", h->procid,
	    token_ok(h->msgid, 32) ? h->msgid : "-");
	if (n < 0)
		return 0;
	return (size_t)n < SYSLOG_HEADER_MAX ? (size_t)n : SYSLOG_HEADER_MAX - 1;
}

size_t
syslog_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t n;

	if (len <= max)
		return len;
	/* Back off continuation bytes (10xxxxxx): s[n] starts a character. */
	for (n = max; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
		;
	return n;
}

size_t
syslog_frame_prefix(char *buf, size_t msg_len)
{
	int n = snprintf(buf, 24, "%zu ", msg_len);

	return n > 0 ? (size_t)n : 0;
}

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int
syslog_out_open(const struct syslog_out_options *o, struct syslog_out **ret,
    char *err, size_t errlen)
{
	const struct syslog_target *t = &o->target;
	const char *proto = t->transport == SYSLOG_UDP ? "udp" : "tcp";
	struct addrinfo hints, *res = NULL;
	struct syslog_out *s;
	int r;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "syslog: out of memory");
		return -ENOMEM;
	}
	s->opt = *o;
	s->opt.hostname = NULL;
	s->fd = -1;
	s->pid = (unsigned long)getpid();
	if (o->hostname != NULL)
		snprintf(s->hostname, sizeof(s->hostname), "%s", o->hostname);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = t->transport == SYSLOG_UDP ? SOCK_DGRAM :
	    SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((r = getaddrinfo(t->host, t->port, &hints, &res)) != 0) {
		snprintf(err, errlen, "syslog %s://%s:%s: %s", proto, t->host,
		    t->port, gai_strerror(r));
		free(s);
		return -EINVAL;
	}
	memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
	s->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	if (t->transport == SYSLOG_UDP) {
		if ((s->fd = socket(s->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0)) < 0 ||
		    connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) != 0) {
			r = -errno;
			snprintf(err, errlen, "syslog udp://%s:%s: %s", t->host,
			    t->port, strerror(errno));
			if (s->fd >= 0)
				close(s->fd);
			free(s);
			return r;
		}
	} else if ((s->queue = malloc(o->queue_bytes)) == NULL) {
		snprintf(err, errlen, "syslog: out of memory for the queue");
		free(s);
		return -ENOMEM;
	}
	s->retry_delay = TCP_RETRY_MIN_US;
	*ret = s;
	return 0;
}

void
syslog_out_counts(const struct syslog_out *s, struct syslog_out_counts *ret)
{
	*ret = s->n;
}

/* The framed length of the message at p (we wrote its prefix). */
static size_t
frame_len(const char *p)
{
	size_t v = 0, i;

	for (i = 0; p[i] != ' '; i++)
		v = v * 10 + (size_t)(p[i] - '0');
	return i + 1 + v;
}

static void
tcp_down(struct syslog_out *s, uint64_t now)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->state = TCP_DOWN;
	/* A message half sent goes again, whole, on the next connection. */
	s->head_sent = 0;
	s->retry_at = now + s->retry_delay;
	s->retry_delay = s->retry_delay * 2 > TCP_RETRY_MAX_US ?
	    TCP_RETRY_MAX_US : s->retry_delay * 2;
}

static void
tcp_up(struct syslog_out *s)
{
	s->state = TCP_UP;
	s->retry_delay = TCP_RETRY_MIN_US;
	s->n.connects++;
}

static void
tcp_connect(struct syslog_out *s, uint64_t now)
{
	s->fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		tcp_down(s, now);
		return;
	}
	if (connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) == 0)
		tcp_up(s);
	else if (errno == EINPROGRESS)
		s->state = TCP_CONNECTING;
	else
		tcp_down(s, now);
}

/* A collector sends nothing: readable means it closed (or reset). */
static bool
tcp_peer_gone(struct syslog_out *s)
{
	char scratch[256];
	ssize_t n = recv(s->fd, scratch, sizeof(scratch), MSG_DONTWAIT);

	if (n == 0)
		return true;
	return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR;
}

/* Move the queue on as far as the socket takes it, without waiting. */
static void
tcp_pump(struct syslog_out *s)
{
	uint64_t now = mono_us();

	if (s->state == TCP_DOWN && now >= s->retry_at)
		tcp_connect(s, now);
	if (s->state == TCP_CONNECTING) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
		int soerr = 0;
		socklen_t len = sizeof(soerr);

		if (poll(&pfd, 1, 0) <= 0)
			return;
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 ||
		    soerr != 0) {
			tcp_down(s, now);
			return;
		}
		tcp_up(s);
	}
	if (s->state != TCP_UP)
		return;
	if (tcp_peer_gone(s)) {
		tcp_down(s, now);
		return;
	}
	while (s->head < s->tail) {
		size_t off = s->head + s->head_sent;
		ssize_t n = send(s->fd, s->queue + off, s->tail - off,
		    MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				tcp_down(s, now);
			break;
		}
		s->head_sent += (size_t)n;
		/* Whole messages sent leave the queue. */
		while (s->head < s->tail) {
			size_t fl = frame_len(s->queue + s->head);

			if (s->head_sent < fl)
				break;
			s->head += fl;
			s->head_sent -= fl;
			s->queued--;
			s->n.sent++;
		}
	}
	if (s->head == s->tail)
		s->head = s->tail = s->head_sent = 0;
}

static void
tcp_put(struct syslog_out *s, const char *hdr, size_t hlen,
    const struct eve_line *l)
{
	char prefix[24];
	size_t plen = syslog_frame_prefix(prefix, hlen + l->len);
	size_t need = plen + hlen + l->len;

	if (s->tail + need > s->opt.queue_bytes && s->head > 0) {
		memmove(s->queue, s->queue + s->head, s->tail - s->head);
		s->tail -= s->head;
		s->head = 0;
	}
	if (s->tail + need > s->opt.queue_bytes) {
		s->n.lost++;
	} else {
		memcpy(s->queue + s->tail, prefix, plen);
		memcpy(s->queue + s->tail + plen, hdr, hlen);
		memcpy(s->queue + s->tail + plen + hlen, l->json, l->len);
		s->tail += need;
		s->queued++;
	}
	tcp_pump(s);
}

static void
udp_put(struct syslog_out *s, const char *hdr, size_t hlen,
    const struct eve_line *l)
{
	size_t room = s->opt.max_message > hlen ? s->opt.max_message - hlen : 0;
	size_t len = syslog_utf8_cut(l->json, l->len, room);
	struct iovec iov[2] = {
		{ .iov_base = (void *)hdr, .iov_len = hlen },
		{ .iov_base = (void *)l->json, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	do
		n = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->n.lost++;
	} else if (len < l->len) {
		/* The collector gets the start; the event is not whole. */
		s->n.cut++;
		s->n.lost++;
	} else {
		s->n.sent++;
	}
}

static void
sink_put(void *ctx, const struct eve_line *l)
{
	struct syslog_out *s = ctx;
	struct syslog_header h = {
		.facility = s->opt.facility,
		.severity = l->severity,
		.ts_us = l->ts_us,
		.hostname = s->hostname,
		.app_name = "outflow",
		.procid = s->pid,
		.msgid = l->dataset,
	};
	char hdr[SYSLOG_HEADER_MAX];
	size_t hlen = syslog_header_format(hdr, &h);

	if (s->opt.target.transport == SYSLOG_UDP)
		udp_put(s, hdr, hlen, l);
	else
		tcp_put(s, hdr, hlen, l);
}

static void
sink_flush(void *ctx)
{
	struct syslog_out *s = ctx;

	if (s->opt.target.transport == SYSLOG_TCP)
		tcp_pump(s);
}

/*
 * Wait up to wait_us for the queue to go; what is left is counted lost
 * and dropped.  A collector that will not be tried again before the
 * deadline is not waited for.
 */
static void
tcp_drain(struct syslog_out *s, uint64_t wait_us)
{
	uint64_t deadline = mono_us() + wait_us, now;

	if (s->opt.target.transport != SYSLOG_TCP)
		return;
	for (;;) {
		tcp_pump(s);
		now = mono_us();
		if (s->head == s->tail || now >= deadline ||
		    (s->state == TCP_DOWN && s->retry_at >= deadline))
			break;
		if (s->state == TCP_DOWN) {
			poll(NULL, 0, (int)((s->retry_at - now) / 1000) + 1);
		} else {
			struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
			uint64_t left = deadline - now;

			poll(&pfd, 1, left > 100000 ? 100 :
			    (int)(left / 1000) + 1);
		}
	}
	s->n.lost += s->queued;
	s->queued = 0;
	s->head = s->tail = s->head_sent = 0;
}

static void
sink_finish(void *ctx)
{
	tcp_drain(ctx, FINISH_WAIT_US);
}

static uint64_t
sink_lost(const void *ctx)
{
	const struct syslog_out *s = ctx;

	return s->n.lost;
}

static void
sink_close(void *ctx)
{
	struct syslog_out *s = ctx;

	if (s == NULL)
		return;
	/* The last statistics event, queued after finish(). */
	tcp_drain(s, CLOSE_WAIT_US);
	if (s->fd >= 0)
		close(s->fd);
	free(s->queue);
	free(s);
}

const struct eve_sink_ops syslog_sink_ops = {
	.put = sink_put,
	.flush = sink_flush,
	.finish = sink_finish,
	.lost = sink_lost,
	.close = sink_close,
};
