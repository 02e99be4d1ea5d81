/**
 * One regression test per user complaint in receiver-anchors.md §5 rows 1–6 that a parser can
 * fix. Lines are the reporters' examples where the issue gives one (shortened where noted).
 */
import { parseCef } from '../../../src/formats/cef/parse';
import type { CefEvent, CefParseOptions, CefParseResult } from '../../../src/formats/cef/types';

function ok(line: string, options?: CefParseOptions): { event: CefEvent; warnings: CefParseResult['warnings'] } {
  const result = parseCef(line, options);
  if (!result.ok) throw new Error(`expected a parse: ${result.error.message}`);
  return { event: result.event, warnings: result.warnings };
}

describe('§5 row 1: unescaped "=" in extension values is kept, with a warning, never a failure', () => {
  it('vrl#784: a callback URL with a query string in cs67 (VRL fails the whole line)', () => {
    const line =
      '<114>2024-01-01T00:00:00.000Z MYHOST01 CEF:0|Vendor|Product|2024.7.0.2|DETECT_AND_RESPOND|ENDPOINT|9|cat="Endpoint" cs2Label=incidentID cs2=00000000-0000-0000-0000-000000000000" cs67Label=callbackURL cs67="https://my.domain.goes.here.com/#/incidents?incidentID=000000000-0000-0000-0000-000000000000" cs68Label=tenantID cs68=INTERNAL ';
    const { event, warnings } = ok(line, { translateCustomFields: true });
    expect(event.extensions.cs67).toBe('"https://my.domain.goes.here.com/#/incidents?incidentID=000000000-0000-0000-0000-000000000000"');
    expect(event.extensions.cs68).toBe('INTERNAL');
    expect(event.customFields).toEqual({
      incidentID: '00000000-0000-0000-0000-000000000000"',
      callbackURL: '"https://my.domain.goes.here.com/#/incidents?incidentID=000000000-0000-0000-0000-000000000000"',
      tenantID: 'INTERNAL',
    });
    expect(event.prefix).toMatchObject({ pri: 114, host: 'MYHOST01', time: { iso: '2024-01-01T00:00:00Z' } });
    expect(warnings).toEqual([expect.objectContaining({ key: 'cs67', message: 'unescaped "=" kept in the value of cs67' })]);
  });

  it('elastic/integrations#5396: a JSON value with "=" and spaces inside (closed as "spec says escape")', () => {
    const line =
      'CEF:0|FooBar|Web Gateway|1.2.3.45.67|200|Success|2|rt=Sep 07 2018 14:50:39 cat=Access Log dst=1.1.1.1 dhost=foo.example.com suser=redacted src=2.2.2.2 requestMethod=POST request=\'https://foo.example.com/bar/bingo/1\' httpTrans={"http_req": {"body_len": 0, "headers": {"accept-language": "de,de-DE;q=0.9,en;q=0.8,en-GB;q=0.7,en-US;q=0.6"}}} cs1= cs1Label=Foo Bar';
    const { event, warnings } = ok(line);
    expect(event.extensions.httpTrans).toBe('{"http_req": {"body_len": 0, "headers": {"accept-language": "de,de-DE;q=0.9,en;q=0.8,en-GB;q=0.7,en-US;q=0.6"}}}');
    expect(event.extensions.cs1).toBe('');
    expect(event.extensions.cs1Label).toBe('Foo Bar');
    expect(event.extensions.cat).toBe('Access Log');
    expect(event.timestamps.rt?.iso).toBe('2018-09-07T14:50:39Z');
    expect(warnings.map((w) => w.key)).toEqual(['httpTrans']);
  });

  it('logstash-codec-cef#56: requestClientApplication is not cut at "=" or spaces', () => {
    const { event } = ok('CEF:0|V|P|1|1|n|3|requestClientApplication=Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm?v=2) Gecko/20100101 src=10.0.0.1');
    expect(event.extensions).toEqual({ requestClientApplication: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm?v=2) Gecko/20100101', src: '10.0.0.1' });
  });

  it('VictoriaLogs#1731: base64 with "=" padding (MikroTik WireGuard keys) keeps every field', () => {
    const { event, warnings } = ok('Sep 29 08:26:10 host CEF:1|MikroTik|hAP ax^3|7.18|81|n|10|pub=Zm9vYmFy= psk=YmF6cXV4= key=aGVsbG8= spt=1232');
    expect(event.extensions).toEqual({ pub: 'Zm9vYmFy=', psk: 'YmF6cXV4=', key: 'aGVsbG8=', spt: '1232' });
    expect(event).toMatchObject({ deviceVendor: 'MikroTik', deviceProduct: 'hAP ax^3', deviceEventClassId: '81' });
    expect(warnings).toHaveLength(3);
  });

  it('logstash-codec-cef PR #49: escaped "=" and a nested CEF line do not create extra keys', () => {
    const { event, warnings } = ok(
      'CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|key=value cs1=This is a sentence in a config file.\\nVariableName\\=some value cs2=other text ad.rawEvent=CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|key\\=value key1\\=value1',
    );
    expect(event.extensions).toEqual({
      key: 'value',
      cs1: 'This is a sentence in a config file.\nVariableName=some value',
      cs2: 'other text',
      'ad.rawEvent': 'CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|key=value key1=value1',
    });
    expect(warnings).toEqual([]);
  });
});

describe('§5 row 2: newline escapes are decoded exactly; raw line breaks are tolerated', () => {
  it('logstash-codec-cef#69 / elastic/logstash#14375: \\n and \\r become LF and CR, not "\\\\n"', () => {
    expect(ok('CEF:0|V|P|1|1|n|1|msg=line1\\nline2\\rline3').event.extensions.msg).toBe('line1\nline2\rline3');
  });

  it('VRL maps \\r to LF; here \\r is CR and \\r\\n is CRLF', () => {
    expect(ok('CEF:0|V|P|1|1|n|1|msg=a\\r\\nb').event.extensions.msg).toBe('a\r\nb');
  });

  it('beats#16995: Trend Micro escapes (\\n\\n, \\r\\n, \\=) inside a long msg', () => {
    const { event, warnings } = ok(
      'CEF:0|Trend Micro|Deep Security Manager|12.0.393|771|Contact by Unrecognized Client|6|src=10.41.128.199 suser=System msg=A connection was initiated.\\n\\nHTTP Headers:\\r\\ncontent-type: text/plain; charset\\="UTF-8"\\r\\n TrendMicroDsTenant=Primary TrendMicroDsTenantId=0',
    );
    expect(event.extensions.msg).toBe('A connection was initiated.\n\nHTTP Headers:\r\ncontent-type: text/plain; charset="UTF-8"\r\n');
    expect(event.extensions.TrendMicroDsTenantId).toBe('0');
    expect(warnings).toEqual([]);
  });

  it('beats#16995: a raw CR/LF inside one delivered record stays in the value', () => {
    const { event } = ok('CEF:0|V|P|1|1|n|1|msg=first\r\nsecond src=1.2.3.4');
    expect(event.extensions).toEqual({ msg: 'first\r\nsecond', src: '1.2.3.4' });
  });
});

describe('§5 row 3: non-standard keys are accepted verbatim', () => {
  it('logstash-codec-cef#67 / #50: ad.* keys, including two-letter subkeys and dashes', () => {
    const { event } = ok(
      'CEF:0|MyVendor|MyProduct|13.1.1|200000152|xml tag (Parameter)|Medium| eventId=553981669 msg=N/A deviceSeverity=notice ad.nn=TEST _cefVer=0.1 ad.Authorization=Bearer ad.X-AutoDiscoverArchiveAsSmtp=true ad.wm__client__ip=73.222.35.141 ad.Request-Id={891EE72D-CAB4-403A-A66D-96C1163376EC} ad.X-ClientStatistics=DeviceID\\=AB942512; SessionID\\=9E9339F7',
    );
    expect(event.extensions).toEqual({
      eventId: '553981669',
      msg: 'N/A',
      deviceSeverity: 'notice',
      'ad.nn': 'TEST',
      _cefVer: '0.1',
      'ad.Authorization': 'Bearer',
      'ad.X-AutoDiscoverArchiveAsSmtp': 'true',
      'ad.wm__client__ip': '73.222.35.141',
      'ad.Request-Id': '{891EE72D-CAB4-403A-A66D-96C1163376EC}',
      'ad.X-ClientStatistics': 'DeviceID=AB942512; SessionID=9E9339F7',
    });
    expect(event.severityLevel).toBe(4);
  });

  it('logstash-codec-cef#92 / PR #31: bracketed and comma keys (ad.field[0], ad.Error_,Code)', () => {
    const { event } = ok('CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192 ad.Authentification=MICROSOFT_AUTHENTICATION_PACKAGE_V1_0 ad.Error_,Code=3221225578 dst=12.121.122.82 ad.field[0]=field0 ad.name[1]=new_name');
    expect(event.extensions).toEqual({
      src: '10.0.0.192',
      'ad.Authentification': 'MICROSOFT_AUTHENTICATION_PACKAGE_V1_0',
      'ad.Error_,Code': '3221225578',
      dst: '12.121.122.82',
      'ad.field[0]': 'field0',
      'ad.name[1]': 'new_name',
    });
  });

  it('vrl#1454: an ArcSight-forwarded line with ad.* keys, spaces, "|" and "\\=" in values and an empty header field', () => {
    const { event, warnings } = ok(
      'CEF:1|Microsoft|Microsoft Windows WMI Activity||Microsoft-Windows-WMI-Activity:5857|Microsoft-Windows-WMI-Activity|Low|eventId=10223573 start=1753856830316 duser=NETWORK SERVICE oldFileHash=en_US|UTF-8 cs1={"Code":"0x0","ProviderPath":"%SystemRoot%\\\\system32\\\\tscfgwmi.dll"} agentZoneURI=/All Zones/ArcSight System/Private Address Space Zones/RFC1918: 10.0.0.0-10.255.255.255 _cefVer=1.0 ad.EventRecordID=277537 aid=39u1FgJEBABCACHtAUahVXQ\\=\\=',
    );
    expect(event.deviceVersion).toBe('');
    expect(event.extensions).toMatchObject({
      duser: 'NETWORK SERVICE',
      oldFileHash: 'en_US|UTF-8',
      cs1: '{"Code":"0x0","ProviderPath":"%SystemRoot%\\system32\\tscfgwmi.dll"}',
      agentZoneURI: '/All Zones/ArcSight System/Private Address Space Zones/RFC1918: 10.0.0.0-10.255.255.255',
      'ad.EventRecordID': '277537',
      aid: '39u1FgJEBABCACHtAUahVXQ==',
    });
    expect(event.timestamps.start?.iso).toBe('2025-07-30T06:27:10.316Z');
    expect(warnings).toEqual([]);
  });
});

describe('§5 row 4: syslog prefixes and broken headers', () => {
  it('beats#30757: a short header keeps its extensions (Beats loses them) and names what is missing', () => {
    const line = 'Feb 11 19:12:22 ec2-54-211-162-22 2022-02-11 19:12:22,962   sentinel -  CEF:0|SentinelOne|Mgmt|activityID=1111111111111111111 activityType=3505 siteId=None siteName=None accountId=1222222222222222222 accountName=foo-bar mdr notificationScope=ACCOUNT';
    const result = parseCef(line, { now: Date.UTC(2022, 1, 12) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual({ message: 'header has 3 of 7 fields: missing deviceVersion, deviceEventClassId, name, severity', offset: line.indexOf('activityID') });
    expect(result.partial).toMatchObject({
      version: 0,
      deviceVendor: 'SentinelOne',
      deviceProduct: 'Mgmt',
      extensions: {
        activityID: '1111111111111111111',
        activityType: '3505',
        siteId: 'None',
        siteName: 'None',
        accountId: '1222222222222222222',
        accountName: 'foo-bar mdr',
        notificationScope: 'ACCOUNT',
      },
      prefix: { syntax: 'rfc3164', host: 'ec2-54-211-162-22', time: { iso: '2022-02-11T19:12:22Z' } },
    });
  });

  it('rsyslog#4309: "CEF: 0|" with a space is read, with a warning', () => {
    const { event, warnings } = ok('2014-02-18T11:44:37.292916+01:00 somehost.somedomain.com CEF: 0|ArcSight|Logger|5.3.1.6838.0|eps:103|Individual Forwarder EPS|1| cat=/Monitor/Forwarder/EPS/Individual cn1=0 cn1Label=EPS');
    expect(event).toMatchObject({ version: 0, deviceVendor: 'ArcSight', extensions: { cat: '/Monitor/Forwarder/EPS/Individual', cn1: '0', cn1Label: 'EPS' } });
    expect(event.prefix).toMatchObject({ syntax: 'konnect', host: 'somehost.somedomain.com', time: { iso: '2014-02-18T10:44:37.292Z' } });
    expect(warnings).toEqual([expect.objectContaining({ message: 'spaces around the CEF version " 0"' })]);
  });

  it('graylog-plugin-cef#11: with and without a host in the syslog prefix', () => {
    expect(ok('Jan 18 11:07:53 host CEF:0|V|P|1|1|n|1|a=b').event.prefix).toMatchObject({ syntax: 'rfc3164', host: 'host' });
    expect(ok('Jan 18 11:07:53 CEF:0|V|P|1|1|n|1|a=b').event.prefix).toMatchObject({ syntax: 'rfc3164', raw: 'Jan 18 11:07:53' });
  });

  it('liblognorm#331 / #351: no space after the last pipe, "\\/" kept, empty last value', () => {
    const { event } = ok('CEF:0|nxlog.org|nxlog|2.7.1243|Executable Code was Detected|Advanced exploit detected|100|path=Some\\/Path spt=46117 dst=172.25.212.204 dpt=');
    expect(event.extensions).toEqual({ path: 'Some\\/Path', spt: '46117', dst: '172.25.212.204', dpt: '' });
    expect(event.severity).toBe('100');
    expect(event.severityLevel).toBeUndefined();
  });

  it('elastic/integrations#2676: CEF:2 is read (with a warning), not rejected', () => {
    const { event, warnings } = ok('CEF:2|V|P|1|1|n|1|a=b');
    expect(event.version).toBe(2);
    expect(warnings).toEqual([expect.objectContaining({ message: 'unknown CEF version 2' })]);
  });
});

describe('§5 row 5: timestamps', () => {
  it('beats PR #27727: a zoneless rt uses the configured timezone, and dtz wins over it', () => {
    const line = 'CEF:0|Aruba Networks|ClearPass|6.8.7.120583|2002|RADIUS Accounting|1|rt=Aug 04 2021 11:31:15';
    expect(ok(line).event.timestamps.rt?.iso).toBe('2021-08-04T11:31:15Z');
    expect(ok(line, { timezone: 'Europe/Amsterdam' }).event.timestamps.rt?.iso).toBe('2021-08-04T09:31:15Z');
    expect(ok(`${line} dtz=America/Chicago`, { timezone: 'Europe/Amsterdam' }).event.timestamps.rt?.iso).toBe('2021-08-04T16:31:15Z');
  });

  it('beats PR #20993 / splunk-connect-for-syslog#1793: "GMT-07:00" and "GMT+00:00" zones', () => {
    expect(ok('CEF:0|V|P|1|1|n|1|rt=Sep 07 2018 14:50:39 GMT-07:00').event.timestamps.rt?.iso).toBe('2018-09-07T21:50:39Z');
    expect(ok('<41>Aug 22 12:10:50 1.1.1.1 CEF:0|Trend Micro|Apex Central|2019|AV:File quarantined|Eicar_test_file|3|deviceExternalId=2 rt=Aug 22 2022 12:10:12 GMT+00:00 cnt=1').event.timestamps.rt?.iso).toBe('2022-08-22T12:10:12Z');
  });

  it('splunk-connect-for-syslog#3224: ISO 8601 rt with a numeric or literal zone', () => {
    expect(ok('CEF:0|V|P|1|1|n|1|rt=2026-09-14T08:05:50.609+00:00').event.timestamps.rt?.iso).toBe('2026-09-14T08:05:50.609Z');
    expect(ok('CEF:0|V|P|1|1|n|1|rt=2026-09-14T08:05:50.609Z').event.timestamps.rt?.iso).toBe('2026-09-14T08:05:50.609Z');
  });

  it('apache/metron PR #451: epoch rt, and the syslog stamp takes its year from rt', () => {
    const { event } = ok('Dec 31 23:59:59 host CEF:0|V|P|1|1|n|1|rt=1704067199000 end=Dec 31 23:59:58', { now: Date.UTC(2030, 5, 1) });
    expect(event.timestamps.rt?.iso).toBe('2023-12-31T23:59:59Z');
    expect(event.prefix?.time?.iso).toBe('2023-12-31T23:59:59Z');
    expect(event.timestamps.end?.iso).toBe('2023-12-31T23:59:58Z');
  });

  it('keeps the raw value next to the normalised one', () => {
    expect(ok('CEF:0|V|P|1|1|n|1|start=Jan 02 2024 10:00:00 PST').event.timestamps.start).toEqual({ raw: 'Jan 02 2024 10:00:00 PST', epochMs: Date.UTC(2024, 0, 2, 18), iso: '2024-01-02T18:00:00Z' });
  });
});

describe('§5 row 6: custom label translation', () => {
  it('vector#15154: csN/csNLabel become named fields, the raw pairs stay', () => {
    const { event } = ok('CEF:0|CyberArk|PTA|12.6|1|Suspected credentials theft|8|cs1Label=ExtraData cs1=None cs2Label=EventID cs2=52b06812ec3500ed864c461e deviceCustomDate1Label=detectionDate deviceCustomDate1=1388577900000', { translateCustomFields: true });
    expect(event.customFields).toEqual({ ExtraData: 'None', EventID: '52b06812ec3500ed864c461e', detectionDate: '1388577900000' });
    expect(event.extensions.cs1Label).toBe('ExtraData');
    expect(event.timestamps.deviceCustomDate1?.iso).toBe('2014-01-01T12:05:00Z');
  });

  it('logstash-codec-cef PR #89: custom fields past the dictionary range (cs15, cn7)', () => {
    expect(ok('CEF:0|V|P|1|1|n|1|cs15Label=Fifteen cs15=x cn7Label=Seven cn7=7', { translateCustomFields: true }).event.customFields).toEqual({ Fifteen: 'x', Seven: '7' });
  });

  it('SEKOIA-IO/intake-formats PR #2788: unpaired labels and values warn, they never fail the event', () => {
    const { event, warnings } = ok('CEF:0|V|P|1|1|n|1|cs1Label=Lonely cs2=orphan cs3Label=Rule cs3=r', { translateCustomFields: true });
    expect(event.customFields).toEqual({ Rule: 'r' });
    expect(warnings.map((w) => w.key)).toEqual(['cs2', 'cs1Label']);
  });
});
