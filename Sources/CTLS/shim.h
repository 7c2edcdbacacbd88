#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* SSL_set_tlsext_host_name is a macro over SSL_ctrl, which Swift cannot call: the SNI name. */
static inline int optimist_tls_set_server_name(SSL *ssl, const char *name) {
  return (int)SSL_set_tlsext_host_name(ssl, name);
}
