import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { InvalidArgumentError } from '../core/errors.js';
import { HttpError } from './http-errors.js';

/** The cookie a `?token=` link sets, as Jupyter does. */
export const TOKEN_COOKIE = 'slicewatch_token';

/** Whether an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Refuses to serve beyond loopback without a token: anyone who can reach the port could read every run. */
export function checkBinding(host: string, token: string | undefined): void {
  if (!isLoopback(host) && (token === undefined || token === ''))
    throw new InvalidArgumentError(
      `refusing to listen on ${host} without a token: anyone who can reach it could read the store; add --token SECRET or use --host 127.0.0.1`,
    );
}

function equal(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === TOKEN_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** The token a request carries: `Authorization: Bearer …`, the cookie, or `?token=` (handshakes: `auth.token`). */
export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  return bearer ?? cookieToken(req.headers.cookie) ?? url.searchParams.get('token') ?? undefined;
}

/** Security headers on every reply: a same-origin content security policy, no sniffing, no framing. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  next();
};

/**
 * With a token, every request must carry it; a valid `?token=` sets an HttpOnly cookie so that the
 * link opened once keeps working. 401 `UNAUTHORIZED` otherwise.
 */
export function requireToken(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (token === undefined) return next();
    const url = new URL(req.originalUrl, 'http://localhost');
    if (!equal(requestToken(req, url), token))
      return next(new HttpError(401, 'UNAUTHORIZED', 'missing or wrong token: open the link the server printed'));
    if (url.searchParams.get('token') === token)
      res.cookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/' });
    next();
  };
}

/** The socket.io handshake check: the same token in `auth.token`, the cookie, a bearer header or the query. */
export function handshakeAllowed(token: string | undefined, req: IncomingMessage, auth: unknown): boolean {
  if (token === undefined) return true;
  const given = (auth as { token?: unknown } | undefined)?.token;
  if (typeof given === 'string') return equal(given, token);
  return equal(requestToken(req, new URL(req.url ?? '/', 'http://localhost')), token);
}
