/**
 * Konnect's documented example lines (shared spec §3.4–3.5) with their sig
 * removed. The published sigs cannot be checked (Kong's doc key is broken),
 * so tests sign these with their own keys.
 */

/** The 2025 authz capture, exact form; 19-digit trace_id. */
export const CEF_AUTHZ_LINE =
  '2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4';

/** Dev Portal auth: the last value is empty (`user_agent=`) right before ` sig=`. */
export const CEF_DEV_PORTAL_EMPTY_USER_AGENT_LINE =
  '2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=1750688927556 src=172.71.232.22 request=/api/v2/developer/authenticate success=true org_id=998db3e4-5cb7-4dd5-b51c-9878096a6999 portal_id=3e551b39-227d-4297-b911-e68fd5d77c17 principal_id=a3d2699a-0ed3-4417-bb10-d8e74a1513a4 trace_id=3360194145499877252 user_agent=';

/** BSD timestamp prefix; the user agent has spaces, `;` and parentheses. */
export const CEF_BSD_PREFIX_LINE =
  'Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1681450748406 src=127.0.0.6 action=retrieve granted=true org_id=b065b594-6afc-4658-9101-5d9cf3f36b7b principal_id=87655c36-8d63-48fe-9a1e-53b28dfbc19b trace_id=3895213347334635099 user_agent=grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)';

/** The compact wire example (OLD-VERIFY-2023): sorted keys, unquoted 19-digit trace_id. */
export const JSON_AUTHZ_LINE =
  '{"action":"read","cef_version":"0","event_class_id":"identity","event_product":"Konnect","event_ts":"2023-04-28T20:52:09Z","event_vendor":"KongInc","event_version":"1.0","granted":true,"name":"Authz.identity-provider","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","rt":1682715129807,"severity":1,"src":"127.0.0.6","trace_id":3895213347334635099,"user_agent":"grpc-go/1.54.0"}';

/** DEV-REF auth example without sig; in the docs the sig sits after `"severity":0`. */
export const JSON_AUTH_LINE_BEFORE_SIG = '{"cef_version":0,"event_class_id":"AUTHENTICATION_TYPE_BASIC","event_product":"Konnect","event_ts":"2025-05-16T00:28:01Z","event_vendor":"KongInc","event_version":"1.0","name":"AUTHENTICATION_OUTCOME_SUCCESS","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","request":"/api/v1/authenticate","rt":"1684524079524","severity":0';
export const JSON_AUTH_LINE_AFTER_SIG =
  ',"src":"127.0.0.6","success":"true","trace_id":6891110586028963295,"user_agent":"grpc-node-js/1.8.10"}';

/** Konnect's JSON example with the sig in alphabetical position, for a given sig. */
export function jsonAuthLineWithSigInAlphabeticalPosition(signature: string): string {
  return `${JSON_AUTH_LINE_BEFORE_SIG},"sig":"${signature}"${JSON_AUTH_LINE_AFTER_SIG}`;
}

/** The same event unsigned: what Konnect signed. */
export const JSON_AUTH_LINE = `${JSON_AUTH_LINE_BEFORE_SIG}${JSON_AUTH_LINE_AFTER_SIG}`;

/** CPS wraps the JSON object under "event". */
export const CPS_AUTHZ_LINE = `{"event":${JSON_AUTHZ_LINE}}`;
