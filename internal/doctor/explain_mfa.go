package doctor

import "regexp"

// mfaRules explain STS's refusals of an MFA code (GetSessionToken,
// AssumeRole): a role whose trust policy asks for
// aws:MultiFactorAuthPresent is assumed with one.
func mfaRules() []explainRule {
	return []explainRule{
		{id: "mfa-invalid-code", re: regexp.MustCompile(`MultiFactorAuthentication failed with invalid MFA one time pass code`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "STS refused the MFA code",
					Cause: []string{
						"the code is not the one the device shows now: mistyped, another device's, or from more than 30 seconds away from where IAM believes the device's clock is (a device enabled or resynced with codes typed long after they were shown runs behind)",
						"or the code was already used: each is accepted once, so a second AssumeRole or GetSessionToken needs the next code",
					},
					Fix: []string{"send the code the device shows now, a new one for every call (with rolecall: rolecall mfa code SERIAL); if fresh codes keep failing, resync the device with two consecutive codes"},
					Commands: []string{
						"aws iam resync-mfa-device --user-name USER --serial-number SERIAL --authentication-code1 CODE1 --authentication-code2 CODE2",
					},
					Source: "GetSessionToken AccessDenied (lonelyplanet/aws-mfa #21)"}
			}},
		{id: "mfa-not-associated", re: regexp.MustCompile(`MultiFactorAuthentication failed, unable to validate MFA code`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the MFA serial number is not the caller's device",
					Cause: []string{
						"--serial-number names no MFA device enabled for the calling IAM user: a user ARN given in place of the device's (arn:aws:iam::ACCOUNT:mfa/NAME), another user's device, a device deactivated since, or a device of another account",
						"or the credentials are not the device's user's: the root user, a role session, or another user's keys",
					},
					Fix:      []string{"sign with the device's user's keys and pass the SerialNumber list-mfa-devices answers for that user"},
					Commands: []string{"aws iam list-mfa-devices --user-name USER --query 'MFADevices[].SerialNumber'"},
					Source:   "GetSessionToken and AssumeRole AccessDenied, 403 (aws/aws-cli #6325; 99designs/aws-vault #676; broamski/aws-mfa #46)"}
			}},
		{id: "mfa-incomplete", re: regexp.MustCompile(`provide both MFA serial number and one time pass code`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "an MFA serial number without a code, or a code without one",
					Cause:  []string{"SerialNumber and TokenCode go together: STS checks the code against the device the serial number names"},
					Fix:    []string{"pass both --serial-number and --token-code, or neither"},
					Source: "GetSessionToken and AssumeRole AccessDenied (the text clients match; its beginning is rolecall's)"}
			}},
	}
}
