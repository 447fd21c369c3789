// Module SMTP.
