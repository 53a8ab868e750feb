//! Job objects (Windows): every child is put in a job of its own, so that
//! a time limit or the stop flag ends it and everything it started
//! (`TerminateJobObject`), and its CPU time is the job's accounting (the
//! child and every process it started, as `wait4` gives it on Unix).

use std::collections::HashMap;
use std::os::windows::io::AsRawHandle;
use std::process::{Child, Command, ExitStatus};
use std::sync::Mutex;

use windows_sys::Win32::Foundation::{CloseHandle, FILETIME, HANDLE};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JobObjectBasicAccountingInformation,
    QueryInformationJobObject, TerminateJobObject, JOBOBJECT_BASIC_ACCOUNTING_INFORMATION,
};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, GetProcessTimes};

/// The job of each child this module started, by process id.
static JOBS: Mutex<Option<HashMap<u32, usize>>> = Mutex::new(None);

fn job_of(child: &Child) -> Option<HANDLE> {
    let jobs = JOBS.lock().unwrap_or_else(|e| e.into_inner());
    jobs.as_ref()?.get(&child.id()).map(|&h| h as HANDLE)
}

fn forget(child: &Child) {
    let mut jobs = JOBS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(h) = jobs.as_mut().and_then(|j| j.remove(&child.id())) {
        // SAFETY: a job handle this module created and no longer uses.
        unsafe { CloseHandle(h as HANDLE) };
    }
}

/// 100-nanosecond ticks in seconds.
fn seconds(ticks: i64) -> f64 {
    ticks as f64 / 1e7
}

fn filetime(t: FILETIME) -> i64 {
    ((u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime)) as i64
}

/// CPU time of this process alone (measuring, stripping, reporting).
pub fn own_cpu_seconds() -> f64 {
    let zero = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
    // SAFETY: GetProcessTimes writes the four times of this process.
    let ok = unsafe {
        GetProcessTimes(
            GetCurrentProcess(),
            &mut created,
            &mut exited,
            &mut kernel,
            &mut user,
        )
    };
    if ok == 0 {
        return 0.0;
    }
    seconds(filetime(kernel) + filetime(user))
}

/// Start `cmd` in a job of its own (what it starts later joins the job).
pub fn spawn(cmd: &mut Command) -> std::io::Result<Child> {
    let child = cmd.spawn()?;
    // SAFETY: a new unnamed job; the child's handle is valid while `child` lives.
    unsafe {
        let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
        if !job.is_null() {
            if AssignProcessToJobObject(job, child.as_raw_handle() as HANDLE) != 0 {
                let mut jobs = JOBS.lock().unwrap_or_else(|e| e.into_inner());
                jobs.get_or_insert_with(HashMap::new)
                    .insert(child.id(), job as usize);
            } else {
                CloseHandle(job);
            }
        }
    }
    Ok(child)
}

/// The CPU time of every process of the child's job so far.
fn job_cpu_seconds(job: HANDLE) -> Option<f64> {
    // SAFETY: the struct is plain data, filled by the query.
    let mut info: JOBOBJECT_BASIC_ACCOUNTING_INFORMATION = unsafe { std::mem::zeroed() };
    let ok = unsafe {
        QueryInformationJobObject(
            job,
            JobObjectBasicAccountingInformation,
            (&mut info as *mut JOBOBJECT_BASIC_ACCOUNTING_INFORMATION).cast(),
            std::mem::size_of::<JOBOBJECT_BASIC_ACCOUNTING_INFORMATION>() as u32,
            std::ptr::null_mut(),
        )
    };
    (ok != 0).then(|| seconds(info.TotalUserTime + info.TotalKernelTime))
}

/// Reap `child` if it has exited, with the CPU time of its job.
pub(super) fn try_wait_cpu(child: &mut Child) -> std::io::Result<Option<(ExitStatus, f64)>> {
    let Some(status) = child.try_wait()? else {
        return Ok(None);
    };
    let cpu = job_of(child).and_then(job_cpu_seconds).unwrap_or(0.0);
    forget(child);
    Ok(Some((status, cpu)))
}

/// End the child's job (the child and all it started); the child is reaped.
pub fn kill_group(child: &mut Child) {
    match job_of(child) {
        // SAFETY: a job handle this module created.
        Some(job) => unsafe {
            TerminateJobObject(job, 1);
        },
        None => {
            let _ = child.kill();
        }
    }
    let _ = child.wait();
    forget(child);
}
