import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { SlicewatchError } from '../core/errors.js';
import type { ErrorReply } from './protocol.js';

/** A request the server refuses: an HTTP status (4xx), a stable code and a one-line message. */
export class HttpError extends SlicewatchError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** 404 `NOT_FOUND` naming what was looked for. */
export const notFound = (what: string): HttpError => new HttpError(404, 'NOT_FOUND', `${what} not found`);

/** The first problem zod found, in one line: `from: expected a non-negative integer`. */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid input';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/** Parses what arrived with a schema; a mismatch is 400 `BAD_REQUEST` naming the first problem. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, 'BAD_REQUEST', `invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}

/** The error reply for anything thrown: coded errors keep their code, the rest get a generic message. */
export function errorReply(error: unknown): { status: number; body: ErrorReply } {
  if (error instanceof HttpError)
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof SlicewatchError)
    return { status: 400, body: { error: { code: error.code, message: error.message } } };
  // body-parser's errors (too large, bad JSON) carry a 4xx status and a type.
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = String((error as { type?: unknown }).type ?? 'bad.request');
    const code = type.replace(/[^a-z]+/gi, '_').toUpperCase();
    return { status, body: { error: { code, message: (error as Error).message } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal server error' } } };
}

/** The last handler: replies with errorReply and keeps serving. */
export const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  const { status, body } = errorReply(error);
  if (status === 500 && process.env['SLICEWATCH_DEBUG']) process.stderr.write(`${(error as Error).stack}\n`);
  if (res.headersSent) return void res.end();
  res.status(status).json(body);
};

/** 404 for every path no route took. */
export const unknownRoute: RequestHandler = (req, _res, next) => next(notFound(`route ${req.method} ${req.path}`));
