// sock_diag.node: who is on the other end of a socket, asked of the kernel. Two questions:
// who owns one TCP socket (by its exact 4-tuple), and who is the peer of a connected unix socket.
//
// Reading /proc/net/tcp{,6} costs time in proportion to every socket on the machine (TIME_WAIT
// ones included). NETLINK_SOCK_DIAG with a SOCK_DIAG_BY_FAMILY request that is not a dump makes
// the kernel look the socket up in its hash table (inet_diag_find_one_icsk): one socket, O(1).
//
// JS: lookup(localIp, localPort, remoteIp, remotePort) -> { uid, inode, state } | null
//   The tuple is seen from the socket being asked about: for a peer of our server, "local" is the
//   client's address and port, "remote" the server's. Both addresses must be of one family
//   (IPv4 dotted quad, or IPv6). null: no such socket. Throws on any other failure.
// Synchronous: one sendto and one recv on a netlink socket, answered by the kernel in the sendto
// itself; the benchmark measures it in microseconds.
//
// JS: peerCred(fd) -> { pid, uid, gid }
//   SO_PEERCRED of a connected unix-domain socket: the credentials the peer had when it called
//   connect() (for a client) or listen() (for a server), recorded by the kernel, not claimed by
//   the peer. Node has no API for it. Throws on failure (not a socket, not a unix socket).
#define _GNU_SOURCE  // struct ucred, before any system header
#define NAPI_VERSION 8
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

// Longest address text we accept (INET6_ADDRSTRLEN plus room for a zone id we reject anyway).
#define ADDR_TEXT_BYTES 64
// The kernel answers within sendto(); the timeout only guards against a kernel that never does.
#define RECV_TIMEOUT_US 200000

typedef struct {
  int found;
  unsigned int uid;
  unsigned int inode;
  unsigned int state;
} diag_result;

static napi_value throw_errno(napi_env env, const char* what, int err) {
  char message[160];
  snprintf(message, sizeof message, "sock_diag: %s: %s", what, strerror(err));
  napi_throw_error(env, "PR_ERR_SOCK_DIAG", message);
  return NULL;
}

// Parses an address; returns its family or 0 when it is neither form.
static int parse_addr(const char* text, __be32 out[4]) {
  memset(out, 0, 16);
  if (inet_pton(AF_INET, text, out) == 1) return AF_INET;
  if (inet_pton(AF_INET6, text, out) == 1) return AF_INET6;
  return 0;
}

// Asks the kernel; returns 0 (with *res filled) or an errno value.
static int query(int family, const __be32 src[4], int sport, const __be32 dst[4], int dport, diag_result* res) {
  struct {
    struct nlmsghdr nlh;
    struct inet_diag_req_v2 req;
  } msg;
  memset(&msg, 0, sizeof msg);
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST;  // not NLM_F_DUMP: an exact lookup of one socket
  msg.nlh.nlmsg_seq = 1;
  msg.req.sdiag_family = (unsigned char)family;
  msg.req.sdiag_protocol = IPPROTO_TCP;
  msg.req.idiag_states = ~0U;
  msg.req.id.idiag_sport = htons((unsigned short)sport);
  msg.req.id.idiag_dport = htons((unsigned short)dport);
  memcpy(msg.req.id.idiag_src, src, 16);
  memcpy(msg.req.id.idiag_dst, dst, 16);
  msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return errno;
  struct timeval tv = {0, RECV_TIMEOUT_US};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct sockaddr_nl kernel;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  int err = 0;
  if (sendto(fd, &msg, sizeof msg, 0, (struct sockaddr*)&kernel, sizeof kernel) < 0) {
    err = errno;
    close(fd);
    return err;
  }
  // One reply: the socket's inet_diag_msg (plus attributes we did not ask for), or an error.
  long buf[1024];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  if (n < 0) err = errno;
  close(fd);
  if (n < 0) return err;
  res->found = 0;
  for (struct nlmsghdr* h = (struct nlmsghdr*)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
    if (h->nlmsg_type == NLMSG_ERROR) {
      const struct nlmsgerr* e = (const struct nlmsgerr*)NLMSG_DATA(h);
      if (h->nlmsg_len < NLMSG_LENGTH(sizeof *e)) return EPROTO;
      if (e->error == -ENOENT) return 0;  // no such socket
      return e->error == 0 ? EPROTO : -e->error;
    }
    if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
      const struct inet_diag_msg* m = (const struct inet_diag_msg*)NLMSG_DATA(h);
      res->found = 1;
      res->uid = m->idiag_uid;
      res->inode = m->idiag_inode;
      res->state = m->idiag_state;
      return 0;
    }
  }
  return EPROTO;
}

static int get_string(napi_env env, napi_value v, char* out, size_t size) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, out, size, &len) != napi_ok) return 0;
  return len + 1 < size;
}

static int get_port(napi_env env, napi_value v, int* out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) return 0;
  return *out >= 0 && *out <= 65535;
}

static napi_value set_uint(napi_env env, napi_value obj, const char* key, unsigned int value) {
  napi_value v;
  napi_create_uint32(env, value, &v);
  napi_set_named_property(env, obj, key, v);
  return obj;
}

static napi_value lookup(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char src_text[ADDR_TEXT_BYTES], dst_text[ADDR_TEXT_BYTES];
  int sport, dport;
  if (argc != 4 || !get_string(env, argv[0], src_text, sizeof src_text) || !get_port(env, argv[1], &sport) ||
      !get_string(env, argv[2], dst_text, sizeof dst_text) || !get_port(env, argv[3], &dport)) {
    napi_throw_type_error(env, "PR_ERR_SOCK_DIAG", "sock_diag: lookup(localIp: string, localPort: number, remoteIp: string, remotePort: number)");
    return NULL;
  }
  __be32 src[4], dst[4];
  int family = parse_addr(src_text, src);
  if (family == 0 || parse_addr(dst_text, dst) != family) {
    napi_throw_type_error(env, "PR_ERR_SOCK_DIAG", "sock_diag: the two addresses must be IP addresses of one family");
    return NULL;
  }
  diag_result res;
  memset(&res, 0, sizeof res);
  int err = query(family, src, sport, dst, dport, &res);
  if (err != 0) return throw_errno(env, "netlink query", err);
  napi_value out;
  if (!res.found) {
    napi_get_null(env, &out);
    return out;
  }
  napi_create_object(env, &out);
  set_uint(env, out, "uid", res.uid);
  set_uint(env, out, "inode", res.inode);
  return set_uint(env, out, "state", res.state);
}

static napi_value peer_cred(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = -1;
  if (argc != 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "PR_ERR_SOCK_DIAG", "sock_diag: peerCred(fd: number)");
    return NULL;
  }
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return throw_errno(env, "SO_PEERCRED", errno);
  if (len != sizeof cred) return throw_errno(env, "SO_PEERCRED", EPROTO);
  napi_value out;
  napi_create_object(env, &out);
  set_uint(env, out, "pid", (unsigned int)cred.pid);
  set_uint(env, out, "uid", cred.uid);
  return set_uint(env, out, "gid", cred.gid);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "lookup", NAPI_AUTO_LENGTH, lookup, NULL, &fn);
  napi_set_named_property(env, exports, "lookup", fn);
  napi_create_function(env, "peerCred", NAPI_AUTO_LENGTH, peer_cred, NULL, &fn);
  napi_set_named_property(env, exports, "peerCred", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
