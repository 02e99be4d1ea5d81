/** Lines from konnect-audit-logs.md §3.4 and §3.5, verbatim. */
export const CEF_AUTHZ_LIST =
  '2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4 sig=KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ';

export const CEF_PORTAL_AUTH =
  '2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=1750688927556 src=172.71.232.22 request=/api/v2/developer/authenticate success=true org_id=998db3e4-5cb7-4dd5-b51c-9878096a6999 portal_id=3e551b39-227d-4297-b911-e68fd5d77c17 principal_id=a3d2699a-0ed3-4417-bb10-d8e74a1513a4 trace_id=3360194145499877252 user_agent= sig=XQC3OSFxLbi5dy2-o4xAXHT-x8oW5Df-zVsACWQLMU9Q-sPnEyk5CVs4JHwuRcwO0QNLsNaP1wsyrXYPeneXDQ';

export const CEF_BSD_AUTHZ =
  'Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1681450748406 src=127.0.0.6 action=retrieve granted=true org_id=b065b594-6afc-4658-9101-5d9cf3f36b7b principal_id=87655c36-8d63-48fe-9a1e-53b28dfbc19b trace_id=3895213347334635099 user_agent=grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges) sig=fnjOUISTC2uLWTqCcmwUuOWa_daa4vEPxxUn2-QPVU1dmB-Ed2y2mwoB9dq94JJz2tF6Ok41Bci4FGwk4FhxAg';

export const CEF_ACCESS =
  '2025-05-16T20:09:54Z konghq.com CEF:0|KongInc|Konnect|1.0|KongGateway|Ingress|1|rt=1684267794226 src=127.0.0.6 request=/konnect-api/api/vitals/v1/explore act=POST status=200 org_id=b065b594-6afc-4658-9101-5d9cf3f36b7b principal_id=87655c36-8d63-48fe-9a1e-53b28dfbc19b user_agent=Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36 trace_id=1146381705542353508 query={"end":"1684270800","start":"1684098000"} sig=JxJaQG3Bozrb5WdHE_Y0HaOsim2F1Xsq_bCfk71VgsfldkLAD_SF234cnKNS';

/** The JSON twin of CEF_PORTAL_AUTH (§3.5). */
export const JSON_PORTAL_AUTH =
  '{"cef_version":0,"event_class_id":"AUTHENTICATION_TYPE_BASIC","event_product":"Dev-Portal","event_ts":"2025-06-23T14:28:47Z","event_vendor":"KongInc","event_version":"1.0","name":"AUTHENTICATION_OUTCOME_SUCCESS","org_id":"998db3e4-5cb7-4dd5-b51c-9878096a6999","portal_id":"3e551b39-227d-4297-b911-e68fd5d77c17","principal_id":"a3d2699a-0ed3-4417-bb10-d8e74a1513a4","request":"/api/v2/developer/authenticate","rt":"1750688927556","severity":0,"sig":"XQC3OSFxLbi5dy2-o4xAXHT-x8oW5Df-zVsACWQLMU9Q-sPnEyk5CVs4JHwuRcwO0QNLsNaP1wsyrXYPeneXDQ","src":"172.71.232.22","success":"true","trace_id":3360194145499877252,"user_agent":""}';

export const JSON_VERIFY_EXAMPLE =
  '{"action":"read","cef_version":"0","event_class_id":"identity","event_product":"Konnect","event_ts":"2023-04-28T20:52:09Z","event_vendor":"KongInc","event_version":"1.0","granted":true,"name":"Authz.identity-provider","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","rt":1682715129807,"severity":1,"src":"127.0.0.6","trace_id":3895213347334635099,"user_agent":"grpc-go/1.54.0","sig":"Jm73seSwAiacSBysDmgQ3D_R_1c39_T0Iuus9GqUEnAjCc-UnyKhFgS8jDx5UIl4J6PTCH5ouuPizwnjnMDECg"}';

export const JSON_ACCESS =
  '{"act":"POST","cef_version":0,"event_class_id":"KongGateway","event_product":"Konnect","event_ts":"2025-05-16T00:28:01Z","event_vendor":"KongInc","event_version":"1.0","name":"Ingress","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","query":"{}","request":"/konnect-api/api/control_planes/1c026712-c17d-4e30-ac27-53a6cdc56b9c/services","rt":"1684196881193","severity":1,"src":"127.0.0.6","status":201,"trace_id":6891110586028963295,"user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36","sig":"N_4q2pCgeg0Fg4oGJSfUWKScnTCiC79vq8PIX6Sc_rwaxdWKpVfPwkW45yK_oOFV9gHOmnJBffcB1NmTSwRRDg"}';
