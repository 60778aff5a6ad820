"""The weekly CP-SAT model: variables (`vars`), one function per hard rule family
(`rules`), one per objective term (`costs`), put together by `build`."""
