import Foundation

/// Received mail as it arrives, with LF line ends as a Maildir stores it.
enum Fixtures {
    /// A Postfix bounce: one recipient rejected for good, one expired after temporary failures.
    static let postfixBounce = """
    Return-Path: <>
    X-Original-To: vuls@csirt.example
    Delivered-To: vuls@csirt.example
    Received: by mx.csirt.example (Postfix)
    \tid 4F2A1C0123; Tue,  1 Jul 2025 09:00:05 +0900 (JST)
    Date: Tue,  1 Jul 2025 09:00:05 +0900 (JST)
    From: MAILER-DAEMON@mx.csirt.example (Mail Delivery System)
    Subject: Undelivered Mail Returned to Sender
    To: vuls@csirt.example
    Auto-Submitted: auto-replied
    MIME-Version: 1.0
    Content-Type: multipart/report; report-type=delivery-status;
    \tboundary="4F2A1C0123.1751328005/mx.csirt.example"
    Content-Transfer-Encoding: 8bit
    Message-Id: <20250701000005.4F2A1C0123@mx.csirt.example>

    This is a MIME-encapsulated message.

    --4F2A1C0123.1751328005/mx.csirt.example
    Content-Description: Notification
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: 8bit

    This is the mail system at host mx.csirt.example.

    I'm sorry to have to inform you that your message could not
    be delivered to one or more recipients. It's attached below.

    For further assistance, please send mail to postmaster.

    If you do so, please include this problem report. You can
    delete your own text from the attached returned message.

                       The mail system

    <nobody@vendor.example>: host mx.vendor.example[192.0.2.25] said: 550 5.1.1
        <nobody@vendor.example>: Recipient address rejected: User unknown in local
        recipient table (in reply to RCPT TO command)

    <psirt@slow.example>: delivery temporarily suspended: connect to
        mx.slow.example[198.51.100.7]:25: Connection timed out

    --4F2A1C0123.1751328005/mx.csirt.example
    Content-Description: Delivery report
    Content-Type: message/delivery-status

    Reporting-MTA: dns; mx.csirt.example
    X-Postfix-Queue-ID: 4F2A1C0123
    X-Postfix-Sender: rfc822; vuls@csirt.example
    Arrival-Date: Tue,  1 Jul 2025 09:00:03 +0900 (JST)

    Final-Recipient: rfc822; nobody@vendor.example
    Original-Recipient: rfc822;nobody@vendor.example
    Action: failed
    Status: 5.1.1
    Remote-MTA: dns; mx.vendor.example
    Diagnostic-Code: smtp; 550 5.1.1 <nobody@vendor.example>: Recipient address
        rejected: User unknown in local recipient table

    Final-Recipient: rfc822; psirt@slow.example
    Original-Recipient: rfc822;psirt@slow.example
    Action: failed
    Status: 4.4.1
    Diagnostic-Code: X-Postfix; delivery temporarily suspended: connect to
        mx.slow.example[198.51.100.7]:25: Connection timed out

    --4F2A1C0123.1751328005/mx.csirt.example
    Content-Description: Undelivered Message Headers
    Content-Type: text/rfc822-headers
    Content-Transfer-Encoding: 8bit

    Return-Path: <vuls@csirt.example>
    Received: from gateway.csirt.example (gateway.csirt.example [192.0.2.10])
    \tby mx.csirt.example (Postfix) with ESMTPS id 4F2A1C0123
    \tfor <nobody@vendor.example>; Tue,  1 Jul 2025 09:00:03 +0900 (JST)
    Date: Tue, 01 Jul 2025 00:00:00 +0000
    From: Example CSIRT <vuls@csirt.example>
    To: nobody@vendor.example, psirt@slow.example
    Subject: [JVNVU#12345678] =?UTF-8?B?6ISG5byx5oCn5oOF5aCx44Gu44GU6YCj57Wh?=
    Message-ID: <lz3k1a.5f8e2c9a1b7d4e6f@csirt.example>
    MIME-Version: 1.0
    Content-Type: multipart/signed; micalg=pgp-sha256;
     protocol="application/pgp-signature";
     boundary="=_AbCdEfGhIjKlMnOpQrStUvWxYz01"

    --4F2A1C0123.1751328005/mx.csirt.example--

    """

    /// An Exchange-style out-of-office reply.
    static let outOfOffice = """
    Received: from mail.vendor.example (mail.vendor.example [192.0.2.30])
    \tby mx.csirt.example (Postfix) with ESMTPS id 7D1E2C0456
    \tfor <vuls@csirt.example>; Tue,  1 Jul 2025 09:01:00 +0900 (JST)
    From: Yamada Taro <yamada@vendor.example>
    To: Example CSIRT <vuls@csirt.example>
    Subject: =?utf-8?B?6Ieq5YuV5b+c562UOiBbSlZOVlUjMTIzNDU2NzhdIOiEhuW8seaAp+aDheWgseOBruOBlOmAo+e1oQ==?=
    Thread-Topic: [JVNVU#12345678]
    Date: Tue, 1 Jul 2025 00:01:00 +0000
    Message-ID: <OOF.7f3a@mail.vendor.example>
    In-Reply-To: <lz3k1a.5f8e2c9a1b7d4e6f@csirt.example>
    References: <lz3k1a.5f8e2c9a1b7d4e6f@csirt.example>
    Auto-Submitted: auto-replied
    X-Auto-Response-Suppress: All
    Content-Type: text/plain; charset="utf-8"
    Content-Transfer-Encoding: base64
    MIME-Version: 1.0

    5LiN5Zyo44Gu44Gf44KB44CBN+aciDfml6Xjgb7jgafov5Tkv6HjgafjgY3jgb7jgZvjgpPjgII=

    """

    /// A person's reply in ISO-2022-JP, as older Japanese mail clients send it.
    static let iso2022JPReply = """
    Return-Path: <yamada@vendor.example>
    Date: Wed, 02 Jul 2025 10:15:00 +0900
    From: =?iso-2022-jp?b?GyRCOzNFRBsoQiAbJEJCQE86GyhC?= <yamada@vendor.example>
    To: vuls@csirt.example
    Subject: =?iso-2022-jp?b?UmU6IFtKVk5WVSMxMjM0NTY3OF0gGyRCQEg8ZUAtPnBKcyROJDRPIk1tGyhC?=
    Message-ID: <20250702101500.ABC1@vendor.example>
    In-Reply-To: <lz3k1a.5f8e2c9a1b7d4e6f@csirt.example>
    References: <root.1@csirt.example>
     <lz3k1a.5f8e2c9a1b7d4e6f@csirt.example>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=ISO-2022-JP
    Content-Transfer-Encoding: 7bit
    X-Mailer: Becky! ver. 2.81

    JPCERT/CC
    \u{1B}$B$4C4Ev<TMM\u{1B}(B

    \u{1B}$B3t<02q<R%5%s%W%k$N;3ED$G$9!#\u{1B}(B
    \u{1B}$B$4O"Mm$"$j$,$H$&$4$6$$$^$9!#J@<R@=IJ$X$N1F6A$rD4::$$$?$7$^$9!#\u{1B}(B

    > \u{1B}$B0J2<$N@H<e@-$K$D$$$F$4O"Mm$$$?$7$^$9!#\u{1B}(B

    """
}
