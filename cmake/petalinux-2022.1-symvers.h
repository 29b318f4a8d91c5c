/* Force-included into every aarch64 translation unit (CMakeLists.txt: PPRT_BOARD_SYMVERS): binds the few symbols
 * whose default version in the cross toolchain's libraries is newer than PetaLinux 2022.1 has (glibc 2.34, GCC 11's
 * libstdc++ up to GLIBCXX_3.4.29) to the older version those libraries still export, with the same behaviour:
 *   hypot: GLIBC_2.35 (glibc 2.35 dropped the SVID error handling of the 2.17 one; same results) -> GLIBC_2.17;
 *   std::condition_variable::wait(unique_lock&): GLIBCXX_3.4.30 (GCC 12) -> GLIBCXX_3.4.11.
 * Debian's g++-11 cross compiler links GCC 12's libstdc++.so.6 and glibc 2.36; on the board's own SDK (glibc 2.34,
 * GCC 11) these versions are the defaults already. tools/check-install.sh fails if any newer version is needed. */
#if defined(__aarch64__) && defined(__linux__)
__asm__(".symver hypot,hypot@GLIBC_2.17");
#if defined(__cplusplus)
__asm__(".symver _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE,"
        "_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.11");
#endif
#endif
