"""The public face (issue 16): the service catalogue, the directory of centres and windows,
one page per village and the referral directory. Reading needs no account and returns only
published, public data; editing the catalogue and referrals is for coordinators."""
