// Type-checked by check.sh (`tsc --noEmit --strict`) against the types that
// openapi-typescript generates from the OpenAPI document into
// .local/openapi-client/schema.d.ts. It proves that a client can be written
// against the generated types.
//
// It only relies on what the API guarantees: these operations exist, carry a
// body, and the document has component schemas. It does not name fields of
// the schemas nor a media type, so it survives ordinary changes to the DTOs.
// If it fails to compile, the document lost an operation, a body or its
// component schemas (read the tsc message: it names the missing piece).

import type { components, paths } from "../../.local/openapi-client/schema";

// ---- helpers ----------------------------------------------------------------

type IsNever<T> = [T] extends [never] ? true : false;
type NotNever<T> = IsNever<T> extends true ? false : true;
/**
 * `const x: Require<Cond, "message"> = true` compiles only when Cond is true;
 * otherwise tsc reports: Type 'true' is not assignable to type '"message"'.
 */
type Require<Cond extends boolean, Message extends string> = Cond extends true ? true : Message;

/** The body of a response or request body; prefers application/json, else any media type. */
type BodyOf<T> = T extends { content: infer C }
  ? C extends { "application/json": infer J }
    ? J
    : C[keyof C]
  : never;

/** The body of the first success response (200, then 201) an operation declares. */
type SuccessBody<Op> = Op extends { responses: infer R }
  ? 200 extends keyof R
    ? BodyOf<R[200]>
    : 201 extends keyof R
      ? BodyOf<R[201]>
      : never
  : never;

/** The request body an operation accepts. */
type RequestBody<Op> = Op extends { requestBody?: infer B } ? BodyOf<NonNullable<B>> : never;

type Method = "get" | "put" | "post" | "delete" | "patch";

/** A minimal typed client, as any generated-types client (e.g. openapi-fetch) would expose. */
export interface Client {
  request<P extends keyof paths, M extends Method & keyof paths[P]>(
    path: P,
    method: M,
    ...body: IsNever<RequestBody<paths[P][M]>> extends true ? [] : [RequestBody<paths[P][M]>]
  ): Promise<SuccessBody<paths[P][M]>>;
}

// ---- GET /api/users/me --------------------------------------------------------

export type MeOk = paths["/api/users/me"]["get"]["responses"]["200"];
export type Me = BodyOf<MeOk>;
export const meHasBody: Require<NotNever<Me>, "GET /api/users/me: the 200 response has no body"> = true;

// ---- POST /api/auth/login -----------------------------------------------------

export type LoginOp = paths["/api/auth/login"]["post"];
export type LoginRequest = RequestBody<LoginOp>;
export type LoginResponse = SuccessBody<LoginOp>;
export const loginTakesBody: Require<NotNever<LoginRequest>, "POST /api/auth/login: no request body"> = true;
export const loginReturnsBody: Require<
  NotNever<LoginResponse>,
  "POST /api/auth/login: no 200/201 response with a body"
> = true;

// ---- GET /api/metadata/grade --------------------------------------------------

export type GradeOp = paths["/api/metadata/grade"]["get"];
export type Grades = BodyOf<GradeOp["responses"]["200"]>;
export const gradesHaveBody: Require<NotNever<Grades>, "GET /api/metadata/grade: the 200 response has no body"> = true;

// ---- components -----------------------------------------------------------------

export type Schemas = components["schemas"];
export type SchemaName = keyof Schemas & string;
export const hasSchemas: Require<
  NotNever<Schemas> extends true ? NotNever<SchemaName> : false,
  "components.schemas is missing or empty"
> = true;
/** Any component schema, by name. */
export type Schema<N extends SchemaName> = Schemas[N];

// ---- a client in use --------------------------------------------------------------

export async function signInAndLoad(
  client: Client,
  credentials: LoginRequest,
): Promise<{ login: LoginResponse; me: Me; grades: Grades }> {
  const login = await client.request("/api/auth/login", "post", credentials);
  const me = await client.request("/api/users/me", "get");
  const grades = await client.request("/api/metadata/grade", "get");
  return { login, me, grades };
}
