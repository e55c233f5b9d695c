import { isDomainName } from '../pipeline/claim';
import type { AssertionSettings } from './assertion-option';
import { fail } from './assertion-value-checks';

const TEAM = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const TEAM_URL = /^https:\/\/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.cloudflareaccess\.com\/?$/i;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const ALB_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):\d{12}:loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
const DIGITS = /^\d{1,20}$/;
const IAP_APP_ID = /^[a-z][a-z0-9-]{4,61}[a-z0-9]$/;
const CLIENT_ID = /^[\x21-\x7e]{1,512}$/;

/** The values each preset needs, and which combinations make no sense. */
export function checkPreset(a: AssertionSettings): void {
  const required = (key: keyof AssertionSettings, hint: string): void => {
    if (a[key] === undefined) fail(`.${key} is required with the "${a.preset}" preset: ${hint}`);
  };
  const hasKeySource = a.jwksUrl !== undefined || a.keys !== undefined;
  switch (a.preset) {
    case 'cloudflare-access': {
      required('team', 'your Zero Trust team name, e.g. "acme" for https://acme.cloudflareaccess.com');
      if (!TEAM.test(a.team as string) && !TEAM_URL.test(a.team as string)) {
        fail(`.team must be your team name ("acme") or team URL ("https://acme.cloudflareaccess.com"), got "${a.team}"`);
      }
      required('audience', 'the Application Audience (AUD) tag from the Access application’s overview');
      break;
    }
    case 'google-iap': {
      required('projectNumber', 'the numeric project number (not the project id) from the Google Cloud console');
      if (!DIGITS.test(a.projectNumber as string)) fail(`.projectNumber must be the numeric project number, got "${a.projectNumber}"`);
      if ((a.backendServiceId === undefined) === (a.appId === undefined)) {
        fail('needs exactly one of .backendServiceId (IAP on a load balancer backend service) or .appId (IAP on App Engine: the project id)');
      }
      if (a.backendServiceId !== undefined && !DIGITS.test(a.backendServiceId)) fail(`.backendServiceId must be the numeric backend service id, got "${a.backendServiceId}"`);
      if (a.appId !== undefined && !IAP_APP_ID.test(a.appId)) fail(`.appId must be the App Engine project id, got "${a.appId}"`);
      if (a.audience !== undefined) fail('.audience is derived from .projectNumber and .backendServiceId/.appId with the "google-iap" preset; leave it out');
      break;
    }
    case 'aws-alb': {
      required('region', 'the AWS region of the load balancer, e.g. "eu-west-1"');
      if (!REGION.test(a.region as string)) fail(`.region must be an AWS region like "eu-west-1", got "${a.region}"`);
      required('albArn', 'the load balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)');
      const arn = ALB_ARN.exec(a.albArn as string);
      if (!arn) fail(`.albArn must be an application load balancer ARN like "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188", got "${a.albArn}"`);
      if (arn[1] !== a.region) fail(`.albArn is in region "${arn[1]}" but .region is "${a.region}"`);
      required('issuer', 'the issuer of your identity provider, as configured on the ALB listener rule');
      if (a.clientId !== undefined && !CLIENT_ID.test(a.clientId)) {
        fail(`.clientId must be the listener rule's OIDC client id (printable ASCII, no spaces), got "${a.clientId}"`);
      }
      break;
    }
    case 'pomerium': {
      required('routeDomain', 'the domain of the Pomerium route in front of Strapi, e.g. "cms.example.com"');
      if (!isDomainName(a.routeDomain as string)) fail(`.routeDomain must be a domain name like "cms.example.com", got "${a.routeDomain}"`);
      if (a.issuer !== undefined || a.audience !== undefined) fail('.issuer and .audience are the route domain with the "pomerium" preset; leave them out');
      break;
    }
    case 'oidc': {
      required('issuer', 'the OpenID Provider’s issuer URL (its /.well-known/openid-configuration names the keys)');
      required('audience', 'the client id the ID token is issued to');
      break;
    }
    case 'custom': {
      required('issuer', 'the exact "iss" your gateway puts in its tokens');
      required('audience', 'the exact "aud" your gateway puts in its tokens');
      if (!hasKeySource && !a.hmacSecret) fail('needs a key source with the "custom" preset: .jwksUrl, or .keys (a JWKS or PEM public keys)');
      break;
    }
  }
  if (a.clientId !== undefined && a.preset !== 'aws-alb') {
    fail(`.clientId is for the "aws-alb" preset (the listener rule's client id); with "${a.preset}" the client id is .audience`);
  }
  if (a.jwksUrl !== undefined && a.keys !== undefined) fail('has both .jwksUrl and .keys: choose one key source');
}
