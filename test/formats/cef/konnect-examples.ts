/**
 * The CEF lines of konnect-audit-logs.md §3.4, verbatim (the DEV-REF ones keep the docs' `…`
 * elisions and fake values), with the fields a parser must return and the JSON-shaped event that
 * Konnect's formatter must turn back into the line minus ` sig=…`.
 */
import { CEF_AUTHZ_LIST, CEF_BSD_AUTHZ, CEF_PORTAL_AUTH } from '../../helpers/konnect-examples';
import type { CefEvent, KonnectAuditEvent } from '../../../src/formats/cef/types';

export interface KonnectExample {
  title: string;
  line: string;
  header: Pick<CefEvent, 'deviceVendor' | 'deviceProduct' | 'deviceVersion' | 'deviceEventClassId' | 'name' | 'severity' | 'severityLevel'>;
  extensions: Record<string, string>;
  /** `rt` as RFC 3339, or undefined when the docs' value is not a timestamp. */
  rtIso: string | undefined;
  prefix: { syntax: 'konnect' | 'rfc3164'; host: string; iso: string };
  /** The same event in Konnect's JSON shape, values typed as Konnect's JSON examples type them. */
  json: KonnectAuditEvent;
}

export const KONNECT_EXAMPLES: readonly KonnectExample[] = [
  {
    title: 'authorization (how-to capture, 2025)',
    line: CEF_AUTHZ_LIST,
    header: { deviceVendor: 'KongInc', deviceProduct: 'Konnect', deviceVersion: '1.0', deviceEventClassId: 'konnect', name: 'Authz.control-planes', severity: '1', severityLevel: 1 },
    extensions: {
      rt: '1750280466889',
      src: '127.0.0.6',
      action: 'list',
      granted: 'true',
      org_id: '777db3e4-5cb7-4dd5-b51c-9878096a6999',
      principal_id: 'eb999f01-5976-4f4b-9fbc-dd5d514bd675',
      trace_id: '3959872677347089807',
      user_agent: 'grpc-node-js/1.12.4',
      sig: 'KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ',
    },
    rtIso: '2025-06-18T21:01:06.889Z',
    prefix: { syntax: 'konnect', host: 'konghq.com', iso: '2025-06-18T21:02:36Z' },
    json: {
      event_ts: '2025-06-18T21:02:36Z', cef_version: 0, event_vendor: 'KongInc', event_product: 'Konnect', event_version: '1.0',
      event_class_id: 'konnect', name: 'Authz.control-planes', severity: 1, action: 'list', granted: true,
      org_id: '777db3e4-5cb7-4dd5-b51c-9878096a6999', principal_id: 'eb999f01-5976-4f4b-9fbc-dd5d514bd675', rt: 1750280466889,
      src: '127.0.0.6', trace_id: 3959872677347089807n, user_agent: 'grpc-node-js/1.12.4',
    },
  },
  {
    title: 'Dev Portal authentication with an empty user_agent (how-to capture, 2025)',
    line: CEF_PORTAL_AUTH,
    header: { deviceVendor: 'KongInc', deviceProduct: 'Dev-Portal', deviceVersion: '1.0', deviceEventClassId: 'AUTHENTICATION_TYPE_BASIC', name: 'AUTHENTICATION_OUTCOME_SUCCESS', severity: '0', severityLevel: 0 },
    extensions: {
      rt: '1750688927556',
      src: '172.71.232.22',
      request: '/api/v2/developer/authenticate',
      success: 'true',
      org_id: '998db3e4-5cb7-4dd5-b51c-9878096a6999',
      portal_id: '3e551b39-227d-4297-b911-e68fd5d77c17',
      principal_id: 'a3d2699a-0ed3-4417-bb10-d8e74a1513a4',
      trace_id: '3360194145499877252',
      user_agent: '',
      sig: 'XQC3OSFxLbi5dy2-o4xAXHT-x8oW5Df-zVsACWQLMU9Q-sPnEyk5CVs4JHwuRcwO0QNLsNaP1wsyrXYPeneXDQ',
    },
    rtIso: '2025-06-23T14:28:47.556Z',
    prefix: { syntax: 'konnect', host: 'konghq.com', iso: '2025-06-23T14:28:47Z' },
    json: {
      cef_version: 0, event_class_id: 'AUTHENTICATION_TYPE_BASIC', event_product: 'Dev-Portal', event_ts: '2025-06-23T14:28:47Z',
      event_vendor: 'KongInc', event_version: '1.0', name: 'AUTHENTICATION_OUTCOME_SUCCESS', org_id: '998db3e4-5cb7-4dd5-b51c-9878096a6999',
      portal_id: '3e551b39-227d-4297-b911-e68fd5d77c17', principal_id: 'a3d2699a-0ed3-4417-bb10-d8e74a1513a4',
      request: '/api/v2/developer/authenticate', rt: '1750688927556', severity: 0, src: '172.71.232.22', success: 'true',
      trace_id: 3360194145499877252n, user_agent: '',
    },
  },
  {
    title: 'authorization with a BSD timestamp and spaces in user_agent (verify-signatures doc, 2023)',
    line: CEF_BSD_AUTHZ,
    header: { deviceVendor: 'KongInc', deviceProduct: 'Konnect', deviceVersion: '1.0', deviceEventClassId: 'konnect', name: 'Authz.usage', severity: '1', severityLevel: 1 },
    extensions: {
      rt: '1681450748406',
      src: '127.0.0.6',
      action: 'retrieve',
      granted: 'true',
      org_id: 'b065b594-6afc-4658-9101-5d9cf3f36b7b',
      principal_id: '87655c36-8d63-48fe-9a1e-53b28dfbc19b',
      trace_id: '3895213347334635099',
      user_agent: 'grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)',
      sig: 'fnjOUISTC2uLWTqCcmwUuOWa_daa4vEPxxUn2-QPVU1dmB-Ed2y2mwoB9dq94JJz2tF6Ok41Bci4FGwk4FhxAg',
    },
    rtIso: '2023-04-14T05:39:08.406Z',
    prefix: { syntax: 'rfc3164', host: 'konghq.com', iso: '2023-04-14T05:39:08Z' },
    json: {
      event_ts: 'Apr 14 05:39:08', cef_version: '0', event_vendor: 'KongInc', event_product: 'Konnect', event_version: '1.0',
      event_class_id: 'konnect', name: 'Authz.usage', severity: 1, action: 'retrieve', granted: true,
      org_id: 'b065b594-6afc-4658-9101-5d9cf3f36b7b', principal_id: '87655c36-8d63-48fe-9a1e-53b28dfbc19b', rt: 1681450748406,
      src: '127.0.0.6', trace_id: '3895213347334635099', user_agent: 'grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)',
    },
  },
  {
    title: 'DEV-REF authentication (placeholder vendor, rt with a typo)',
    line: '2025-05-19T00:03:39Z konghq.com CEF:0|ExampleOrg|Konnect|1.0|AUTHENTICATION_TYPE_PAT|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=3958q3097698 src=127.0.0.1 request=/api/v1/personal-access-tokens/introspect success=true org_id=b065b594-6afc-4658-9101-5d9cf3f36b7b principal_id=87655c36-8d63-48fe-9a1e-53b28dfbc19b trace_id=3895213347334635099 user_agent=grpc-go/1.51.0 sig=N_4q2pCgeg0Fg4oGJSfUWKScnTCiC79vq8PIX6Sc_rwaxdWKpVfPwkW45yK_oOFV9gHOmnJBffcB1NmTSwRRDg',
    header: { deviceVendor: 'ExampleOrg', deviceProduct: 'Konnect', deviceVersion: '1.0', deviceEventClassId: 'AUTHENTICATION_TYPE_PAT', name: 'AUTHENTICATION_OUTCOME_SUCCESS', severity: '0', severityLevel: 0 },
    extensions: {
      rt: '3958q3097698',
      src: '127.0.0.1',
      request: '/api/v1/personal-access-tokens/introspect',
      success: 'true',
      org_id: 'b065b594-6afc-4658-9101-5d9cf3f36b7b',
      principal_id: '87655c36-8d63-48fe-9a1e-53b28dfbc19b',
      trace_id: '3895213347334635099',
      user_agent: 'grpc-go/1.51.0',
      sig: 'N_4q2pCgeg0Fg4oGJSfUWKScnTCiC79vq8PIX6Sc_rwaxdWKpVfPwkW45yK_oOFV9gHOmnJBffcB1NmTSwRRDg',
    },
    rtIso: undefined,
    prefix: { syntax: 'konnect', host: 'konghq.com', iso: '2025-05-19T00:03:39Z' },
    json: {
      event_ts: '2025-05-19T00:03:39Z', cef_version: 0, event_vendor: 'ExampleOrg', event_product: 'Konnect', event_version: '1.0',
      event_class_id: 'AUTHENTICATION_TYPE_PAT', name: 'AUTHENTICATION_OUTCOME_SUCCESS', severity: 0, rt: '3958q3097698', src: '127.0.0.1',
      request: '/api/v1/personal-access-tokens/introspect', success: true, org_id: 'b065b594-6afc-4658-9101-5d9cf3f36b7b',
      principal_id: '87655c36-8d63-48fe-9a1e-53b28dfbc19b', trace_id: 3895213347334635099n, user_agent: 'grpc-go/1.51.0',
    },
  },
  {
    title: 'DEV-REF authorization with an empty actor_id (elided ids kept as printed)',
    line: '2025-05-19T00:03:39Z konghq.com CEF:0|ExampleOrg|Konnect|1.0|konnect|Authz.portals|1|rt=16738287345642 src=127.0.0.6 action=retrieve granted=true org_id=b065b594-… principal_id=87655c36-… actor_id= trace_id=8809518331550410226 user_agent=grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges) sig=N_4q…RRDg',
    header: { deviceVendor: 'ExampleOrg', deviceProduct: 'Konnect', deviceVersion: '1.0', deviceEventClassId: 'konnect', name: 'Authz.portals', severity: '1', severityLevel: 1 },
    extensions: {
      rt: '16738287345642',
      src: '127.0.0.6',
      action: 'retrieve',
      granted: 'true',
      org_id: 'b065b594-…',
      principal_id: '87655c36-…',
      actor_id: '',
      trace_id: '8809518331550410226',
      user_agent: 'grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)',
      sig: 'N_4q…RRDg',
    },
    rtIso: '2500-06-01T04:15:45.642Z',
    prefix: { syntax: 'konnect', host: 'konghq.com', iso: '2025-05-19T00:03:39Z' },
    json: {
      event_ts: '2025-05-19T00:03:39Z', cef_version: 0, event_vendor: 'ExampleOrg', event_product: 'Konnect', event_version: '1.0',
      event_class_id: 'konnect', name: 'Authz.portals', severity: 1, rt: 16738287345642, src: '127.0.0.6', action: 'retrieve',
      granted: true, org_id: 'b065b594-…', principal_id: '87655c36-…', actor_id: '', trace_id: 8809518331550410226n,
      user_agent: 'grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)',
    },
  },
  {
    title: 'DEV-REF access with a JSON query and spaces in user_agent',
    line: '2025-05-16T20:09:54Z konghq.com CEF:0|KongInc|Konnect|1.0|KongGateway|Ingress|1|rt=1684267794226 src=127.0.0.6 request=/konnect-api/api/vitals/v1/explore act=POST status=200 org_id=b065b594-… principal_id=87655c36-… user_agent=Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36 trace_id=1146381705542353508 query={"end":"1684270800","start":"1684098000"} sig=JxJaQG3Bozrb5WdHE_Y0HaOsim2F1Xsq_bCfk71VgsfldkLAD_SF234cnKNS',
    header: { deviceVendor: 'KongInc', deviceProduct: 'Konnect', deviceVersion: '1.0', deviceEventClassId: 'KongGateway', name: 'Ingress', severity: '1', severityLevel: 1 },
    extensions: {
      rt: '1684267794226',
      src: '127.0.0.6',
      request: '/konnect-api/api/vitals/v1/explore',
      act: 'POST',
      status: '200',
      org_id: 'b065b594-…',
      principal_id: '87655c36-…',
      user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36',
      trace_id: '1146381705542353508',
      query: '{"end":"1684270800","start":"1684098000"}',
      sig: 'JxJaQG3Bozrb5WdHE_Y0HaOsim2F1Xsq_bCfk71VgsfldkLAD_SF234cnKNS',
    },
    rtIso: '2023-05-16T20:09:54.226Z',
    prefix: { syntax: 'konnect', host: 'konghq.com', iso: '2025-05-16T20:09:54Z' },
    json: {
      act: 'POST', cef_version: 0, event_class_id: 'KongGateway', event_product: 'Konnect', event_ts: '2025-05-16T20:09:54Z',
      event_vendor: 'KongInc', event_version: '1.0', name: 'Ingress', org_id: 'b065b594-…', principal_id: '87655c36-…',
      query: '{"end":"1684270800","start":"1684098000"}', request: '/konnect-api/api/vitals/v1/explore', rt: '1684267794226',
      severity: 1, src: '127.0.0.6', status: 200, trace_id: 1146381705542353508n,
      user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36',
    },
  },
];

/** The line as the signer received it: everything before ` sig=`. */
export function withoutSignature(line: string): string {
  return line.slice(0, line.lastIndexOf(' sig='));
}
