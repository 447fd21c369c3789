/// The commented `liaison.yaml` that `liaison init` writes.
enum WorkspaceTemplate {
    /// Our own entry, which `sender.organization` names, so that a new workspace's directory is not empty.
    static let ownOrganization = """
    # Our own entry in the directory: liaison.yaml's sender.organization names it. Edit it, then run
    # `liaison directory sync`. The fields of an organisation file are described by `liaison directory check --help`.
    id: example-csirt
    name: Example CSIRT
    kind: national-csirt
    country: JP
    domains: [csirt.example]
    languages: [ja, en]
    contacts:
      - email: vuls@csirt.example
        name: Vulnerability Coordination
        role: to

    """

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
      # max_connections: 4            # connections send and run use at once (default 4); 1 for a relay that wants one
      # ca_file: certs/ca.pem         # trusted certificates, relative to this folder

    gnupg:
      home: .liaison/gnupg            # default: $GNUPGHOME, else ~/.gnupg
      encrypt: when-key               # when-key | always | never
      # passphrase_env: LIAISON_SIGNING_PASSPHRASE   # a signing key with a passphrase: the variable holding it,
      # passphrase_file: .liaison/passphrase         # or a file (mode 600) whose first line it is (given to gpg-agent by loopback)

    timezone: UTC                     # dates typed and shown, and quarters, are days of this zone, e.g. Asia/Tokyo
                                      # (formerly report.timezone, which is still read)

    cases:
      embargo_days: 45                # planned publication of a case opened without --due (CERT/CC's 45 days)
      tlp: AMBER+STRICT               # TLP 2.0 level of a case opened without --tlp: CLEAR|GREEN|AMBER|AMBER+STRICT|RED
      publication_tlp: CLEAR          # the level `case publish` lowers a case to, unless --tlp
      origins: [jvn-jp, cert-cc, cpni]  # partners a case may come from (case open --origin, case import)

    reminders:                        # `liaison remind --all`: days since the first notification without a response
      first_after_days: 14            # first reminder (template reminder)
      second_after_days: 28           # second reminder
      escalate_after_days: 42         # escalation to every active contact, cc included (template escalation)
      unreachable_after_days: 60      # the organisation is marked unreachable (liaison report unreachable)
      # coordinator: cert-cc          # an organisation that receives a copy of each escalation

    answer:                           # the vendors' answer link (served by `liaison serve`), in every case message
      # base_url: https://csirt.example   # where the server is reached from outside; unset: no link in any message
      grace_days: 30                  # a link stays valid this many days after its case is published
      open_days: 365                  # and at most this many days after it was issued while the case is open

    """
}
