// Clang thread-safety annotations (checked with -Wthread-safety in the clang build;
// they expand to nothing under other compilers).
#pragma once

#if defined(__clang__)
#define LARDER_TSA(x) __attribute__((x))
#else
#define LARDER_TSA(x)
#endif

#define CAPABILITY(x) LARDER_TSA(capability(x))
#define SCOPED_CAPABILITY LARDER_TSA(scoped_lockable)
#define GUARDED_BY(x) LARDER_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) LARDER_TSA(pt_guarded_by(x))
#define REQUIRES(...) LARDER_TSA(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) LARDER_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) LARDER_TSA(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) LARDER_TSA(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) LARDER_TSA(try_acquire_shared_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) LARDER_TSA(release_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) LARDER_TSA(locks_excluded(__VA_ARGS__))
#define RETURN_CAPABILITY(x) LARDER_TSA(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS LARDER_TSA(no_thread_safety_analysis)
