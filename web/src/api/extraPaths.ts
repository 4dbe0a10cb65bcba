// Endpoints that the committed schema.d.ts may not have yet (added by the editor work).
// Written in openapi-typescript's shape so that the typed client accepts them; once
// `npm run api:generate` picks them up from the server, the generated definitions win
// (see `ApiPaths` in client.ts).
import type { components } from './schema';
import type { Analysis, AuthMethods, Catalog, ModelSchema, Template, TemplateInfo } from './types';
import type { ModelJson } from '../model/types';

type NoParams = { query?: never; header?: never; path?: never; cookie?: never };
type Json<T> = { headers: { [name: string]: unknown }; content: { 'application/json': T } };
type ErrorAnswer = Json<components['schemas']['ErrorBody']>;
type Unused = {
  put?: never;
  post?: never;
  delete?: never;
  options?: never;
  head?: never;
  patch?: never;
  trace?: never;
};

type GetOperation<P, T> = {
  parameters: P;
  requestBody?: never;
  responses: { 200: Json<T>; 401: ErrorAnswer; 404: ErrorAnswer };
};

export interface ExtraPaths {
  '/api/v1/auth/methods': { parameters: NoParams; get: GetOperation<NoParams, AuthMethods> } & Unused;
  '/api/v1/catalog': { parameters: NoParams; get: GetOperation<NoParams, Catalog> } & Unused;
  '/api/v1/model-schema': { parameters: NoParams; get: GetOperation<NoParams, ModelSchema> } & Unused;
  '/api/v1/templates': { parameters: NoParams; get: GetOperation<NoParams, { items: TemplateInfo[] }> } & Unused;
  '/api/v1/templates/{template}': {
    parameters: NoParams;
    get: GetOperation<{ query?: never; header?: never; path: { template: string }; cookie?: never }, Template>;
  } & Unused;
  '/api/v1/models/{model}/analysis': {
    parameters: NoParams;
    get?: never;
    put?: never;
    post: {
      parameters: { query?: never; header?: never; path: { model: string }; cookie?: never };
      requestBody: { content: { 'application/json': { model: ModelJson } } };
      responses: {
        200: Json<Analysis>;
        400: ErrorAnswer;
        401: ErrorAnswer;
        403: ErrorAnswer;
        404: ErrorAnswer;
        422: ErrorAnswer;
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
