// libpq's two optional libraries, GSSAPI (Kerberos) and LDAP, loaded the first time libpq
// calls one of their functions, instead of at every start.
//
// The release optimist-pg and optimist-serve link libpq statically (the Makefile's
// static-libs), so that a start does not load, relocate and bind the twenty libraries
// libpq.so pulls in: GSSAPI brings Kerberos, LDAP brings SASL and GnuTLS with its own eight.
// libpq calls GSSAPI for a Kerberos login, and, on a TCP connection with gssencmode=prefer
// (its default) or require, to ask whether a credential cache exists (so a TCP connection
// loads it; a Unix socket or gssencmode=disable does not). It calls LDAP for a service file's
// `ldap://` line. This file defines every GSSAPI and LDAP function libpq 15 calls; each loads
// the real library with dlopen on its first call and calls the real function, so libpq
// behaves as it does with its shared library. OpenSSL stays a shared library (libpq calls it
// on every TLS connection; security updates reach it).
//
// Everything here is hidden: libpq.a's references bind to it when the executable is linked,
// and nothing else does (the libraries' own calls between their functions stay theirs). In a
// build that links libpq.so (debug), libpq binds to the real libraries and this goes unused.
//
// When a library cannot be loaded, each function fails as the library does without
// credentials, and sets its outputs as the library would: GSSAPI answers GSS_S_FAILURE and
// says which library is missing; ldap_init answers NULL, which libpq reports as "could not
// create LDAP structure" (an LDAP service lookup then fails). The Debian packages depend on
// both libraries. The sonames are libpq's own (OPTIMIST_GSSAPI_LIBRARY,
// OPTIMIST_LDAP_LIBRARY: the Makefile reads them from libpq.so's DT_NEEDED).
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

#ifndef OPTIMIST_GSSAPI_LIBRARY
#define OPTIMIST_GSSAPI_LIBRARY "libgssapi_krb5.so.2"
#endif
#ifndef OPTIMIST_LDAP_LIBRARY
#define OPTIMIST_LDAP_LIBRARY "libldap-2.5.so.0"
#endif

// A library's handle: NULL before the first call, `unavailable` after a failed dlopen.
static char unavailable_marker;
#define UNAVAILABLE ((void *)&unavailable_marker)

static void *library(void **handle, const char *soname) {
  void *loaded = __atomic_load_n(handle, __ATOMIC_ACQUIRE);
  if (loaded == NULL) {
    // Two threads may both get here: dlopen gives them the same handle (counted twice).
    loaded = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (loaded == NULL) loaded = UNAVAILABLE;
    __atomic_store_n(handle, loaded, __ATOMIC_RELEASE);
  }
  return loaded == UNAVAILABLE ? NULL : loaded;
}

// The real function `name` of the library, or NULL when it cannot be loaded. dlsym on the
// library's handle searches that library and its dependencies, never this executable.
static void *real(void **handle, const char *soname, void **cache, const char *name) {
  void *function = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
  if (function == NULL) {
    void *opened = library(handle, soname);
    if (opened == NULL) return NULL;
    function = dlsym(opened, name);
    if (function != NULL) __atomic_store_n(cache, function, __ATOMIC_RELEASE);
  }
  return function;
}

// MARK: GSSAPI (RFC 2744's C bindings; every handle is a pointer, every status a uint32)

typedef uint32_t OM_uint32;
typedef struct {
  OM_uint32 length;
  void *elements;
} gss_OID_desc, *gss_OID;
typedef struct {
  size_t length;
  void *value;
} gss_buffer_desc, *gss_buffer_t;
typedef void *gss_name_t, *gss_cred_id_t, *gss_ctx_id_t, *gss_OID_set, *gss_channel_bindings_t;

#define GSS_S_FAILURE (((OM_uint32)13) << 16)

static void *gssapi;

// GSS_C_NT_HOSTBASED_SERVICE, the name type of "service@host" (1.2.840.113554.1.2.1.4), is
// a variable of the library; libpq reads it before its first call. GSSAPI compares OIDs by
// value, so this copy names the same type.
static gss_OID_desc hostbased_service = {10, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"};
gss_OID GSS_C_NT_HOSTBASED_SERVICE = &hostbased_service;

// A GSSAPI function: the real one, or GSS_S_FAILURE with `empty` done to its outputs (what
// MIT's functions do first: libpq reads an output token whatever the answer).
#define GSS(name, parameters, arguments, empty)                                           \
  OM_uint32 name parameters {                                                            \
    static void *cache;                                                                  \
    OM_uint32(*function) parameters =                                                    \
      (OM_uint32(*) parameters)real(&gssapi, OPTIMIST_GSSAPI_LIBRARY, &cache, #name);    \
    if (function == NULL) {                                                              \
      *minor = 0;                                                                        \
      empty;                                                                             \
      return GSS_S_FAILURE;                                                              \
    }                                                                                    \
    return function arguments;                                                           \
  }

static void clear(gss_buffer_t buffer) {
  if (buffer != NULL) {
    buffer->length = 0;
    buffer->value = NULL;
  }
}

GSS(gss_acquire_cred,
    (OM_uint32 * minor, gss_name_t name, OM_uint32 time, gss_OID_set mechs, int usage,
     gss_cred_id_t *cred, gss_OID_set *actual, OM_uint32 *time_rec),
    (minor, name, time, mechs, usage, cred, actual, time_rec), {
      if (cred != NULL) *cred = NULL;
      if (actual != NULL) *actual = NULL;
    })
GSS(gss_release_cred, (OM_uint32 * minor, gss_cred_id_t *cred), (minor, cred), {})
GSS(gss_import_name,
    (OM_uint32 * minor, gss_buffer_t input, gss_OID type, gss_name_t *output),
    (minor, input, type, output), {
      if (output != NULL) *output = NULL;
    })
GSS(gss_release_name, (OM_uint32 * minor, gss_name_t *name), (minor, name), {})
GSS(gss_init_sec_context,
    (OM_uint32 * minor, gss_cred_id_t cred, gss_ctx_id_t *context, gss_name_t target,
     gss_OID mech, OM_uint32 flags, OM_uint32 time, gss_channel_bindings_t bindings,
     gss_buffer_t input, gss_OID *actual_mech, gss_buffer_t output, OM_uint32 *ret_flags,
     OM_uint32 *time_rec),
    (minor, cred, context, target, mech, flags, time, bindings, input, actual_mech, output,
     ret_flags, time_rec),
    { clear(output); })
GSS(gss_delete_sec_context, (OM_uint32 * minor, gss_ctx_id_t *context, gss_buffer_t output),
    (minor, context, output), { clear(output); })
GSS(gss_wrap,
    (OM_uint32 * minor, gss_ctx_id_t context, int confidential, OM_uint32 qop,
     gss_buffer_t input, int *conf_state, gss_buffer_t output),
    (minor, context, confidential, qop, input, conf_state, output), { clear(output); })
GSS(gss_unwrap,
    (OM_uint32 * minor, gss_ctx_id_t context, gss_buffer_t input, gss_buffer_t output,
     int *conf_state, OM_uint32 *qop),
    (minor, context, input, output, conf_state, qop), { clear(output); })
GSS(gss_wrap_size_limit,
    (OM_uint32 * minor, gss_ctx_id_t context, int confidential, OM_uint32 qop,
     OM_uint32 size, OM_uint32 *max_input),
    (minor, context, confidential, qop, size, max_input), {
      if (max_input != NULL) *max_input = 0;
    })

static const char gss_missing[] = "the GSSAPI library " OPTIMIST_GSSAPI_LIBRARY " cannot be loaded";

// libpq prints whatever this gives it, whatever it returns; it then hands the buffer to
// gss_release_buffer, which leaves the constant alone (below).
OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, gss_OID mech,
                             OM_uint32 *context, gss_buffer_t text) {
  static void *cache;
  OM_uint32 (*function)(OM_uint32 *, OM_uint32, int, gss_OID, OM_uint32 *, gss_buffer_t) =
    real(&gssapi, OPTIMIST_GSSAPI_LIBRARY, &cache, "gss_display_status");
  if (function == NULL) {
    // Said once, for the major status (GSS_C_GSS_CODE); the mechanism's status adds nothing.
    *minor = 0;
    *context = 0;
    text->length = type == 1 ? sizeof gss_missing - 1 : 0;
    text->value = (void *)gss_missing;
    return 0;
  }
  return function(minor, status, type, mech, context, text);
}

OM_uint32 gss_release_buffer(OM_uint32 *minor, gss_buffer_t buffer) {
  static void *cache;
  if (buffer != NULL && buffer->value == (void *)gss_missing) {
    buffer->length = 0;
    buffer->value = NULL;
    *minor = 0;
    return 0;
  }
  OM_uint32 (*function)(OM_uint32 *, gss_buffer_t) =
    real(&gssapi, OPTIMIST_GSSAPI_LIBRARY, &cache, "gss_release_buffer");
  if (function == NULL) {
    *minor = 0;
    return GSS_S_FAILURE;
  }
  return function(minor, buffer);
}

// MARK: LDAP (OpenLDAP's API as libpq calls it; every handle is a pointer)

typedef void LDAP, LDAPMessage;
struct berval;
struct timeval;

#define LDAP_OTHER 0x50

static void *ldap;

#define LDAP_FUNCTION(type, failure, name, parameters, arguments)                        \
  type name parameters {                                                                 \
    static void *cache;                                                                  \
    type(*function) parameters =                                                         \
      (type(*) parameters)real(&ldap, OPTIMIST_LDAP_LIBRARY, &cache, #name);             \
    if (function == NULL) return failure;                                                \
    return function arguments;                                                           \
  }

LDAP_FUNCTION(LDAP *, NULL, ldap_init, (const char *host, int port), (host, port))
LDAP_FUNCTION(int, LDAP_OTHER, ldap_set_option, (LDAP * ld, int option, const void *value),
              (ld, option, value))
LDAP_FUNCTION(int, -1, ldap_simple_bind, (LDAP * ld, const char *who, const char *password),
              (ld, who, password))
LDAP_FUNCTION(int, -1, ldap_result,
              (LDAP * ld, int id, int all, struct timeval *timeout, LDAPMessage **result),
              (ld, id, all, timeout, result))
LDAP_FUNCTION(int, LDAP_OTHER, ldap_search_st,
              (LDAP * ld, const char *base, int scope, const char *filter, char **attributes,
               int only, struct timeval *timeout, LDAPMessage **result),
              (ld, base, scope, filter, attributes, only, timeout, result))
LDAP_FUNCTION(int, -1, ldap_count_entries, (LDAP * ld, LDAPMessage *chain), (ld, chain))
LDAP_FUNCTION(LDAPMessage *, NULL, ldap_first_entry, (LDAP * ld, LDAPMessage *chain),
              (ld, chain))
LDAP_FUNCTION(struct berval **, NULL, ldap_get_values_len,
              (LDAP * ld, LDAPMessage *entry, const char *attribute), (ld, entry, attribute))
LDAP_FUNCTION(int, LDAP_OTHER, ldap_msgfree, (LDAPMessage * message), (message))
LDAP_FUNCTION(int, LDAP_OTHER, ldap_unbind, (LDAP * ld), (ld))

// Never reached without the library: libpq calls nothing else when ldap_init fails.
static char ldap_missing[] = "the LDAP library " OPTIMIST_LDAP_LIBRARY " cannot be loaded";

LDAP_FUNCTION(char *, ldap_missing, ldap_err2string, (int error), (error))

void ldap_value_free_len(struct berval **values) {
  static void *cache;
  void (*function)(struct berval **) =
    real(&ldap, OPTIMIST_LDAP_LIBRARY, &cache, "ldap_value_free_len");
  if (function != NULL) function(values);
}

#pragma GCC visibility pop
