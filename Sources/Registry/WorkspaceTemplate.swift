/// The commented `liaison.yaml` that `liaison init` writes.
enum WorkspaceTemplate {
    static let configuration = """
    # Liaison workspace configuration. Every key is optional; defaults are shown in the comments.
    # Directory/organizations/<id>.yaml   one file per organisation (see `liaison directory check`)
    # Directory/keys/<FINGERPRINT>.asc    public keys of the contacts
    # Templates/<name>.<lang>.mustache    notification templates
    # .liaison/                           the registry database and local state (not committed)

    sender:
      from: "Example CSIRT <vuls@csirt.example>"   # the From header of every notification
      organization: example-csirt                 # our own entry in Directory/organizations/
      # signing_key: 0123456789ABCDEF0123456789ABCDEF01234567   # fingerprint of the signing key in the GnuPG home

    smtp:
      url: smtp://127.0.0.1:2525      # smtp:// (STARTTLS), smtps://, or file:///path for a dry run
      tls: required                   # required | none (none only to a loopback address)
      # username: gateway
      password_env: LIAISON_SMTP_PASSWORD   # the variable holding the password; never the password itself
      max_attempts: 8                 # transient failures are retried with backoff this many times
      # ca_file: certs/ca.pem         # trusted certificates, relative to this folder

    gnupg:
      home: .liaison/gnupg            # default: $GNUPGHOME, else ~/.gnupg
      encrypt: when-key               # when-key | always | never

    timezone: UTC                     # dates typed and shown, and quarters, are days of this zone, e.g. Asia/Tokyo
                                      # (formerly report.timezone, which is still read)

    """
}
