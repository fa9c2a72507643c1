// The test SMTP server lives with the mail package (its own tests use it without a build cycle).
export * from '@motcua/mail/testing';
