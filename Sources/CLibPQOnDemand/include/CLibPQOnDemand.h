// Nothing to import: on_demand.c defines the GSSAPI and LDAP functions libpq calls, which the
// linker finds there (see that file).
